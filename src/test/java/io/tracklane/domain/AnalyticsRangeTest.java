package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class AnalyticsRangeTest {
  private static final LocalDate TODAY = LocalDate.parse("2026-11-22");

  @Test
  void thirtyDaysEndTodayAndThePriorPeriodIsTheThirtyBefore() {
    AnalyticsRange r = AnalyticsRange.of("30d", TODAY, null);
    assertEquals(LocalDate.parse("2026-10-24"), r.from());
    assertEquals(TODAY, r.to());
    assertEquals(LocalDate.parse("2026-09-24"), r.priorFrom());
    assertEquals(r.from(), r.dailyFrom());
  }

  @Test
  void twelveMonthsStartTheDayAfterTheSameDayLastYear() {
    AnalyticsRange r = AnalyticsRange.of("12m", LocalDate.parse("2028-03-01"), null);
    assertEquals(LocalDate.parse("2027-03-02"), r.from());
    // 366 days from 2027-03-02 to 2028-03-01 (2028-02-29 included): the prior period as long.
    assertEquals(LocalDate.parse("2026-03-01"), r.priorFrom());
  }

  @Test
  void allStartsAtTheFirstFactHasNoPriorPeriodAndAtMost366DailyDays() {
    AnalyticsRange r = AnalyticsRange.of("all", TODAY, LocalDate.parse("2024-01-01"));
    assertEquals(LocalDate.parse("2024-01-01"), r.from());
    assertNull(r.priorFrom());
    assertFalse(r.hasPrior());
    assertEquals(TODAY.minusDays(365), r.dailyFrom());
    assertEquals(TODAY, AnalyticsRange.of("all", TODAY, null).from());
    assertEquals(TODAY, AnalyticsRange.of("all", TODAY, TODAY.plusDays(1)).from());
  }

  @Test
  void anotherRangeIsInvalid() {
    assertEquals("range", assertThrows(InvalidInput.class, () -> AnalyticsRange.of("7d", TODAY, null)).field());
  }

  @Test
  void ratesHaveFourDecimalsAndChangesOneRoundedHalfToEven() {
    assertEquals("0.0250", Ratios.rate(1, 40));
    assertEquals("0.6667", Ratios.rate(2, 3));
    assertNull(Ratios.rate(3, 0));
    assertEquals("12.5", Ratios.percentChange(9, 8));
    assertEquals("-50.0", Ratios.percentChange(1, 2));
    // 1/16 = 6.25 %: the tie goes to the even digit.
    assertEquals("6.2", Ratios.percentChange(17, 16));
    assertNull(Ratios.percentChange(5, 0));
  }
}
