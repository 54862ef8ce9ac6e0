package io.tracklane.domain;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies self-describing signed click ids.
 *
 * <p>Layout, 22 bytes, base64url without padding (30 characters): key id (1), issue time in epoch
 * seconds (4), link id (5), random (4), truncated HMAC-SHA256 over the first 14 bytes (8). Old keys
 * stay in the key map so ids signed before a rotation still verify.
 */
public final class ClickIdCodec {
  private static final int BODY = 14;
  private static final int MAC_LENGTH = 8;
  private static final int LENGTH = BODY + MAC_LENGTH;
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
    int rnd = random.nextInt();
    ByteBuffer buf = ByteBuffer.allocate(LENGTH);
    buf.put((byte) currentKeyId);
    buf.putInt((int) at.getEpochSecond());
    buf.put((byte) (linkId >>> 32));
    buf.putInt((int) linkId);
    buf.putInt(rnd);
    byte[] bytes = buf.array();
    System.arraycopy(sign(currentKeyId, bytes), 0, bytes, BODY, MAC_LENGTH);
    Instant issued = Instant.ofEpochSecond(at.getEpochSecond());
    return new ClickId(ENCODER.encodeToString(bytes), currentKeyId, issued, linkId, rnd);
  }

  /** The verified click id, or empty when the text is malformed, signed by an unknown key or forged. */
  public Optional<ClickId> verify(String text) {
    if (text == null || text.length() != 30) {
      return Optional.empty();
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (bytes.length != LENGTH || !ENCODER.encodeToString(bytes).equals(text)) {
      return Optional.empty();
    }
    int keyId = bytes[0] & 0xff;
    if (!keys.containsKey(keyId)) {
      return Optional.empty();
    }
    byte[] expected = sign(keyId, bytes);
    byte[] actual = new byte[MAC_LENGTH];
    System.arraycopy(bytes, BODY, actual, 0, MAC_LENGTH);
    if (!MessageDigest.isEqual(expected, actual)) {
      return Optional.empty();
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes, 1, BODY - 1);
    long seconds = Integer.toUnsignedLong(buf.getInt());
    long linkId = ((long) (buf.get() & 0xff) << 32) | Integer.toUnsignedLong(buf.getInt());
    int rnd = buf.getInt();
    return Optional.of(new ClickId(text, keyId, Instant.ofEpochSecond(seconds), linkId, rnd));
  }

  private byte[] sign(int keyId, byte[] bytes) {
    Mac[] cache = macs.get();
    try {
      Mac mac = cache[keyId];
      if (mac == null) {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(keys.get(keyId), "HmacSHA256"));
        cache[keyId] = mac;
      }
      mac.update(bytes, 0, BODY);
      byte[] full = mac.doFinal();
      byte[] truncated = new byte[MAC_LENGTH];
      System.arraycopy(full, 0, truncated, 0, MAC_LENGTH);
      return truncated;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
