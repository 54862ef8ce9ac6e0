package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ClickIdCodecTest {
  private static final byte[] KEY_1 = "first-click-id-signing-key-32byt".getBytes(StandardCharsets.UTF_8);
  private static final byte[] KEY_2 = "second-click-id-signing-key-32by".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-11-21T10:15:30Z");

  private final ClickIdCodec codec = new ClickIdCodec(Map.of(1, KEY_1), 1, new SplittableRandom(7));

  @Test
  void issuedIdRoundTripsWithTimeLinkAndKey() {
    ClickId issued = codec.issue(123_456_789L, NOW);
    ClickId verified = codec.verify(issued.value()).orElseThrow();
    assertEquals(123_456_789L, verified.linkId());
    assertEquals(NOW, verified.issuedAt());
    assertEquals(1, verified.keyId());
    assertEquals(issued, verified);
  }

  @Test
  void idIsUrlSafeAndFortyCharacters() {
    String id = codec.issue((1L << 40) - 1, NOW).value();
    assertEquals(40, id.length(), id);
    assertTrue(id.matches("[A-Za-z0-9_-]+"), id);
  }

  /** Ids issued before the 96-bit random part (30 characters) keep verifying: cookies and stored clicks. */
  @Test
  void anIdOfTheEarlierThirtyCharacterLayoutStillVerifies() throws Exception {
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(22);
    buf.put((byte) 1).putInt((int) NOW.getEpochSecond()).put((byte) 0).putInt(4242).putInt(0x12345678);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(KEY_1, "HmacSHA256"));
    mac.update(buf.array(), 0, 14);
    System.arraycopy(mac.doFinal(), 0, buf.array(), 14, 8);
    String legacy = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
    assertEquals(30, legacy.length());
    ClickId verified = codec.verify(legacy).orElseThrow();
    assertEquals(4242, verified.linkId());
    assertEquals(NOW, verified.issuedAt());
    assertEquals(0x12345678, verified.random());
    legacy = legacy.substring(0, 29) + (legacy.charAt(29) == 'A' ? 'B' : 'A');
    assertFalse(codec.verify(legacy).isPresent());
  }

  /**
   * A million ids for one link in one second, as the redirect would issue them from one generator:
   * none collide (the bound in docs/edge.md says a collision is about 6e-18 likely per such second).
   */
  @Test
  void aMillionIdsForOneLinkInOneSecondAreAllDistinct() {
    ClickIdCodec fast = new ClickIdCodec(Map.of(1, KEY_1), 1, new SplittableRandom(11));
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < 1_000_000; i++) {
      assertTrue(ids.add(fast.issue(42, NOW).value()));
    }
  }

  @Test
  void everySingleCharacterChangeIsRejected() {
    String id = codec.issue(42, NOW).value();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < id.length(); i++) {
      for (char c : alphabet.toCharArray()) {
        if (c == id.charAt(i)) {
          continue;
        }
        String tampered = id.substring(0, i) + c + id.substring(i + 1);
        assertFalse(codec.verify(tampered).isPresent(), "accepted " + tampered);
      }
    }
  }

  @Test
  void idSignedWithAnUnknownKeyIsRejected() {
    ClickIdCodec other = new ClickIdCodec(Map.of(1, KEY_2), 1, new SplittableRandom(1));
    assertFalse(codec.verify(other.issue(42, NOW).value()).isPresent());
  }

  @Test
  void oldKeyKeepsVerifyingAfterRotation() {
    String before = codec.issue(42, NOW).value();
    ClickIdCodec rotated = new ClickIdCodec(Map.of(1, KEY_1, 2, KEY_2), 2, new SplittableRandom(3));
    assertEquals(42, rotated.verify(before).orElseThrow().linkId());
    ClickId after = rotated.issue(43, NOW);
    assertEquals(2, after.keyId());
    assertFalse(codec.verify(after.value()).isPresent(), "a codec without key 2 must reject it");
  }

  @Test
  void garbageIsRejectedWithoutThrowing() {
    for (String junk : new String[] {null, "", "abc", "%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%", "A".repeat(30),
        "A".repeat(31), "A".repeat(500), "AWsB-pMAAAAAAl8MOJ6EVTizjJ5mG=", "AWsB+pMAAAAAAl8MOJ6EVTizjJ5mGQ"}) {
      assertFalse(codec.verify(junk).isPresent(), String.valueOf(junk));
    }
  }

  @Test
  void cookieWindowIncludesItsLastSecondAndNotOneMore() {
    ClickId click = codec.issue(1, NOW);
    assertTrue(click.creditableAt(NOW, 30));
    assertTrue(click.creditableAt(NOW.plus(Duration.ofDays(30)), 30));
    assertFalse(click.creditableAt(NOW.plus(Duration.ofDays(30)).plusSeconds(1), 30));
    assertFalse(click.creditableAt(NOW.minus(Duration.ofHours(1)), 30), "a conversion long before the click");
  }

  @Property(tries = 300)
  void anyLinkAndTimeRoundTrip(@ForAll @LongRange(min = 0, max = (1L << 40) - 1) long linkId,
      @ForAll @LongRange(min = 0, max = 4_000_000_000L) long epochSecond) {
    Instant at = Instant.ofEpochSecond(epochSecond);
    ClickId verified = codec.verify(codec.issue(linkId, at).value()).orElseThrow();
    assertEquals(linkId, verified.linkId());
    assertEquals(at, verified.issuedAt());
  }
}
