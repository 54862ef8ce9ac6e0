package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClickIdCodecTest {
  private static final byte[] OLD = "old-key-old-key-old-key!".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NEW = "new-key-new-key-new-key!".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-11-21T20:00:00Z");

  @Test
  void idsAreUrlSafeAndAtMost32Characters() {
    ClickIdCodec codec = new ClickIdCodec(Map.of(1, NEW), 1, new SplittableRandom(1));
    for (long link : new long[] {0, 1, 123_456_789, (1L << 40) - 1}) {
      String id = codec.issue(link, NOW).value();
      assertTrue(id.length() <= 32 && id.matches("[A-Za-z0-9_-]+"), id);
      assertEquals(link, codec.verify(id).orElseThrow().linkId());
    }
  }

  @Test
  void idsSignedBeforeAKeyRotationStillVerifyWhileTheOldKeyIsListed() {
    String before = new ClickIdCodec(Map.of(1, OLD), 1, new SplittableRandom(2)).issue(42, NOW).value();
    ClickIdCodec rotated = new ClickIdCodec(Map.of(1, OLD, 2, NEW), 2, new SplittableRandom(3));
    assertEquals(1, rotated.verify(before).orElseThrow().keyId());
    assertEquals(2, rotated.verify(rotated.issue(42, NOW).value()).orElseThrow().keyId());
    assertTrue(new ClickIdCodec(Map.of(2, NEW), 2, new SplittableRandom(4)).verify(before).isEmpty());
  }

  @Test
  void everyTamperedCharacterIsRefused() {
    ClickIdCodec codec = new ClickIdCodec(Map.of(1, NEW), 1, new SplittableRandom(5));
    String id = codec.issue(7, NOW).value();
    for (int i = 0; i < id.length(); i++) {
      char other = id.charAt(i) == 'A' ? 'B' : 'A';
      String tampered = id.substring(0, i) + other + id.substring(i + 1);
      assertTrue(codec.verify(tampered).isEmpty(), tampered);
    }
  }

  @Test
  void aClickIsCreditableOnlyInsideItsCookieWindow() {
    ClickId click = new ClickIdCodec(Map.of(1, NEW), 1, new SplittableRandom(6)).issue(7, NOW);
    assertTrue(click.creditableAt(NOW.plus(Duration.ofDays(30)), 30));
    assertTrue(!click.creditableAt(NOW.plus(Duration.ofDays(30)).plusSeconds(1), 30));
  }
}
