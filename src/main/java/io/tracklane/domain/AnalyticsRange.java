package io.tracklane.domain;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;

/**
 * The days a dashboard answer covers, in the program's time zone, both ends included: the range
 * ending today, the prior period of the same length just before it (none for {@code all}), and
 * the first day of the daily series, which is bounded to the last {@link #MAX_DAILY_DAYS} days.
 */
public record AnalyticsRange(String name, LocalDate from, LocalDate to, LocalDate priorFrom, LocalDate dailyFrom) {
  /** At most this many days in the daily series (a leap year's worth), whatever the range. */
  public static final int MAX_DAILY_DAYS = 366;

  /** The range {@code name} (30d, 90d, 12m, all) ending {@code today}; {@code all} starts at {@code firstFact}. */
  public static AnalyticsRange of(String name, LocalDate today, LocalDate firstFact) {
    LocalDate from = switch (name) {
      case "30d" -> today.minusDays(29);
      case "90d" -> today.minusDays(89);
      case "12m" -> today.minusMonths(12).plusDays(1);
      // No facts yet (or a first fact dated after today by a skewed clock): today alone.
      case "all" -> firstFact == null || firstFact.isAfter(today) ? today : firstFact;
      default -> throw new InvalidInput("range", "must be one of 30d, 90d, 12m, all");
    };
    long days = ChronoUnit.DAYS.between(from, today) + 1;
    LocalDate priorFrom = "all".equals(name) ? null : from.minusDays(days);
    LocalDate earliestDaily = today.minusDays(MAX_DAILY_DAYS - 1);
    return new AnalyticsRange(name, from, today, priorFrom, from.isBefore(earliestDaily) ? earliestDaily : from);
  }

  /** Whether there is a prior period to compare with ({@code all} has none). */
  public boolean hasPrior() {
    return priorFrom != null;
  }
}
