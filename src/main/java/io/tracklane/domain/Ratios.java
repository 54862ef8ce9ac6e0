package io.tracklane.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Ratios the dashboard shows, as decimal strings: exact decimal arithmetic and the one rounding
 * rule of {@link Money} (half to even), never a double. Null when the denominator is 0, since
 * there is no ratio to show.
 */
public final class Ratios {
  private Ratios() {
  }

  /** {@code part / whole} with 4 decimals ("0.0250"), or null when {@code whole} is 0. */
  public static String rate(long part, long whole) {
    if (whole == 0) {
      return null;
    }
    return BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_EVEN).toPlainString();
  }

  /** The change from {@code before} to {@code now} in percent with 1 decimal ("12.5"), or null when before is 0. */
  public static String percentChange(long now, long before) {
    if (before == 0) {
      return null;
    }
    return BigDecimal.valueOf(now - before).multiply(BigDecimal.valueOf(100))
        .divide(BigDecimal.valueOf(before), 1, RoundingMode.HALF_EVEN).toPlainString();
  }
}
