package io.tracklane.domain;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies self-describing signed click ids.
 *
 * <p>Layout, 30 bytes, base64url without padding (40 characters): key id (1), issue time in epoch
 * seconds (4), link id (5), random (12), truncated HMAC-SHA256 over the first 22 bytes (8). Two ids
 * can only collide on the same link in the same second, and with 96 random bits the birthday bound
 * for n ids in one second is n^2 / 2^97: at a million clicks per second on one link, about 6e-18
 * per second, 2e-10 per year of it (docs/edge.md). Ids issued before this layout (22 bytes, 30
 * characters, 32 random bits) still verify. Old keys stay in the key map so ids signed before a
 * rotation still verify.
 */
public final class ClickIdCodec {
  private static final int RANDOM = 12;
  private static final int BODY = 10 + RANDOM;
  private static final int MAC_LENGTH = 8;
  private static final int LENGTH = BODY + MAC_LENGTH;
  private static final int TEXT_LENGTH = 40;
  /** The layout before: 4 random bytes, 22 bytes, 30 characters. */
  private static final int LEGACY_BODY = 14;
  private static final int LEGACY_TEXT_LENGTH = 30;
  private static final long MAX_LINK_ID = (1L << 40) - 1;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final Map<Integer, byte[]> keys;
  private final int currentKeyId;
  private final RandomGenerator random;
  private final ThreadLocal<Mac[]> macs;

  /**
   * @param keys signing keys by id (0..255); must contain {@code currentKeyId}
   * @param currentKeyId the key new ids are signed with
   * @param random the source of the random part
   */
  public ClickIdCodec(Map<Integer, byte[]> keys, int currentKeyId, RandomGenerator random) {
    if (!keys.containsKey(currentKeyId)) {
      throw new IllegalArgumentException("no click-id key with id " + currentKeyId);
    }
    keys.keySet().forEach(id -> {
      if (id < 0 || id > 255) {
        throw new IllegalArgumentException("click-id key ids are 0..255, got " + id);
      }
    });
    this.keys = Map.copyOf(keys);
    this.currentKeyId = currentKeyId;
    this.random = random;
    this.macs = ThreadLocal.withInitial(() -> new Mac[256]);
  }

  public ClickId issue(long linkId, Instant at) {
    if (linkId < 0 || linkId > MAX_LINK_ID) {
      throw new IllegalArgumentException("link id out of range: " + linkId);
    }
    long high = random.nextLong();
    int low = random.nextInt();
    ByteBuffer buf = ByteBuffer.allocate(LENGTH);
    buf.put((byte) currentKeyId);
    buf.putInt((int) at.getEpochSecond());
    buf.put((byte) (linkId >>> 32));
    buf.putInt((int) linkId);
    buf.putLong(high);
    buf.putInt(low);
    byte[] bytes = buf.array();
    sign(currentKeyId, bytes, BODY);
    Instant issued = Instant.ofEpochSecond(at.getEpochSecond());
    return new ClickId(ENCODER.encodeToString(bytes), currentKeyId, issued, linkId, low);
  }

  /** The verified click id, or empty when the text is malformed, signed by an unknown key or forged. */
  public Optional<ClickId> verify(String text) {
    if (text == null || text.length() != TEXT_LENGTH && text.length() != LEGACY_TEXT_LENGTH) {
      return Optional.empty();
    }
    int body = text.length() == TEXT_LENGTH ? BODY : LEGACY_BODY;
    byte[] bytes;
    try {
      bytes = DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (bytes.length != body + MAC_LENGTH || !ENCODER.encodeToString(bytes).equals(text)) {
      return Optional.empty();
    }
    int keyId = bytes[0] & 0xff;
    if (!keys.containsKey(keyId)) {
      return Optional.empty();
    }
    byte[] actual = new byte[MAC_LENGTH];
    System.arraycopy(bytes, body, actual, 0, MAC_LENGTH);
    sign(keyId, bytes, body);
    if (!MessageDigest.isEqual(Arrays.copyOfRange(bytes, body, body + MAC_LENGTH), actual)) {
      return Optional.empty();
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes, 1, body - 1);
    long seconds = Integer.toUnsignedLong(buf.getInt());
    long linkId = ((long) (buf.get() & 0xff) << 32) | Integer.toUnsignedLong(buf.getInt());
    int rnd = buf.getInt(body - 4);
    return Optional.of(new ClickId(text, keyId, Instant.ofEpochSecond(seconds), linkId, rnd));
  }

  /** Writes the truncated MAC of the first {@code body} bytes after them; one reused Mac per thread and key. */
  private void sign(int keyId, byte[] bytes, int body) {
    Mac[] cache = macs.get();
    try {
      Mac mac = cache[keyId];
      if (mac == null) {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(keys.get(keyId), "HmacSHA256"));
        cache[keyId] = mac;
      }
      mac.update(bytes, 0, body);
      byte[] full = mac.doFinal();
      System.arraycopy(full, 0, bytes, body, MAC_LENGTH);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
