package io.tracklane.edge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The unique-click flag, decided in process without a round trip: a visitor (link, IP, user agent)
 * is remembered for the window from its first click; a click by a remembered visitor is a repeat.
 * Shared by every edge verticle of the process. How exact it is (docs/edge.md): exact within one
 * process while it remembers fewer than {@code max} visitors; with several edge processes a
 * visitor whose clicks reach different ones counts once per process; a restart forgets.
 */
public final class UniqueVisitors {
  private final Cache<Long, Boolean> seen;

  public UniqueVisitors(long max, Duration window) {
    seen = Caffeine.newBuilder().maximumSize(max).expireAfterWrite(window).build();
  }

  /** True for the first click of this visitor on this link within the window. */
  boolean first(long linkId, String ip, String userAgent) {
    return seen.asMap().putIfAbsent(key(linkId, ip, userAgent), Boolean.TRUE) == null;
  }

  /**
   * A 64-bit hash of the visitor: with half a million remembered, two distinct visitors share one
   * with a probability near 10^-8, and the only effect would be one click flagged a repeat.
   */
  static long key(long linkId, String ip, String userAgent) {
    long h = 0xcbf29ce484222325L ^ linkId;
    h = mix(h, ip == null ? new byte[0] : ip.getBytes(StandardCharsets.UTF_8));
    h = mix(h * 31 + 0x7f, userAgent == null ? new byte[0] : userAgent.getBytes(StandardCharsets.UTF_8));
    // Final avalanche (from MurmurHash3's fmix64).
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }

  private static long mix(long h, byte[] bytes) {
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
