package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.domain.DashboardPeriods.Period;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class DashboardPeriodsTest {
  private static Period period(List<Period> periods, String name) {
    return periods.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void periodsAreTheLocalCalendarsInOrder() {
    // 2026-03-01T03:00Z is still February 28th in New York (22:00 the day before).
    List<Period> periods = DashboardPeriods.at(Instant.parse("2026-03-01T03:00:00Z"), ZoneId.of("America/New_York"));
    assertEquals(List.of("today", "yesterday", "this_month", "last_month"),
        periods.stream().map(Period::name).toList());
    assertEquals(LocalDate.parse("2026-02-28"), period(periods, "today").from());
    assertEquals(Instant.parse("2026-02-28T05:00:00Z"), period(periods, "today").start());
    assertEquals(Instant.parse("2026-03-01T05:00:00Z"), period(periods, "today").end());
    assertEquals(LocalDate.parse("2026-02-27"), period(periods, "yesterday").to());
    assertEquals(LocalDate.parse("2026-02-01"), period(periods, "this_month").from());
    assertEquals(LocalDate.parse("2026-02-28"), period(periods, "this_month").to());
    assertEquals(LocalDate.parse("2026-01-01"), period(periods, "last_month").from());
    assertEquals(LocalDate.parse("2026-01-31"), period(periods, "last_month").to());
    assertEquals(Instant.parse("2026-02-01T05:00:00Z"), period(periods, "last_month").end());
  }

  @Test
  void midnightOffTheHourIsCutExactly() {
    ZoneId kathmandu = ZoneId.of("Asia/Kathmandu");
    // Local midnight of 2026-06-10 in Kathmandu (+05:45) is 2026-06-09T18:15Z.
    Instant midnight = Instant.parse("2026-06-09T18:15:00Z");
    Period today = period(DashboardPeriods.at(midnight, kathmandu), "today");
    assertEquals(midnight, today.start());
    assertTrue(today.contains(midnight));
    Period before = period(DashboardPeriods.at(midnight.minusSeconds(1), kathmandu), "today");
    assertEquals(LocalDate.parse("2026-06-09"), before.from());
    assertFalse(before.contains(midnight));
    assertTrue(before.contains(midnight.minusSeconds(1)));
  }

  @Test
  void daysAcrossDstChangesHaveTheirRealLength() {
    ZoneId newYork = ZoneId.of("America/New_York");
    Period springForward = period(DashboardPeriods.at(Instant.parse("2026-03-08T12:00:00Z"), newYork), "today");
    assertEquals(Duration.ofHours(23), Duration.between(springForward.start(), springForward.end()));
    Period fallBack = period(DashboardPeriods.at(Instant.parse("2026-11-01T12:00:00Z"), newYork), "today");
    assertEquals(Duration.ofHours(25), Duration.between(fallBack.start(), fallBack.end()));
    // Auckland leaves summer time on 2026-04-05: that day has 25 hours.
    Period auckland = period(DashboardPeriods.at(Instant.parse("2026-04-05T00:00:00Z"), ZoneId.of("Pacific/Auckland")),
        "today");
    assertEquals(LocalDate.parse("2026-04-05"), auckland.from());
    assertEquals(Duration.ofHours(25), Duration.between(auckland.start(), auckland.end()));
  }

  @Test
  void januaryHasLastYearsDecemberAsLastMonth() {
    List<Period> periods = DashboardPeriods.at(Instant.parse("2027-01-15T12:00:00Z"), ZoneId.of("UTC"));
    assertEquals(LocalDate.parse("2026-12-01"), period(periods, "last_month").from());
    assertEquals(LocalDate.parse("2026-12-31"), period(periods, "last_month").to());
    assertEquals(Instant.parse("2027-01-01T00:00:00Z"), period(periods, "this_month").start());
  }
}
