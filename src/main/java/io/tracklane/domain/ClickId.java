package io.tracklane.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * A decoded, verified click id: when it was issued, for which link, under which signing key.
 * The id itself is the text the browser carried ({@link #value()}).
 */
public record ClickId(String value, int keyId, Instant issuedAt, long linkId, int random) {
  // random: the last 32 bits of the id's random part (all of it in ids of the 30-character layout).

  /** Whether a conversion at {@code at} is still inside a cookie window of {@code days} days. */
  public boolean creditableAt(Instant at, int days) {
    if (at.isBefore(issuedAt.minus(CLOCK_SKEW))) {
      return false;
    }
    return !at.isAfter(issuedAt.plus(Duration.ofDays(days)));
  }

  /** Conversions may be reported by a server whose clock runs a little behind ours. */
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
}
