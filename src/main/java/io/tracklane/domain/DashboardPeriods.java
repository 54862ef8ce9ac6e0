package io.tracklane.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

/**
 * The four periods of an affiliate's dashboard summary, cut in its time zone: today, yesterday, this
 * month (to today) and last month. Each is whole local days, turned into the instants that start
 * them with {@link LocalDate#atStartOfDay(ZoneId)}, so a day of 23 or 25 hours (DST) and a zone
 * whose midnight is not on the hour (Asia/Kathmandu) are cut where that zone's calendar cuts them.
 */
public final class DashboardPeriods {
  /** One period: its local days (both included) and the instants [start, end) they cover. */
  public record Period(String name, LocalDate from, LocalDate to, Instant start, Instant end) {
    static Period of(String name, LocalDate from, LocalDate to, ZoneId zone) {
      return new Period(name, from, to, from.atStartOfDay(zone).toInstant(), to.plusDays(1).atStartOfDay(zone)
          .toInstant());
    }

    public boolean contains(Instant at) {
      return !at.isBefore(start) && at.isBefore(end);
    }
  }

  private DashboardPeriods() {
  }

  /** The periods around {@code now} as the calendar of {@code zone} has them, in the answer's order. */
  public static List<Period> at(Instant now, ZoneId zone) {
    LocalDate today = now.atZone(zone).toLocalDate();
    LocalDate monthStart = today.withDayOfMonth(1);
    LocalDate lastMonthStart = monthStart.minusMonths(1);
    return List.of(
        Period.of("today", today, today, zone),
        Period.of("yesterday", today.minusDays(1), today.minusDays(1), zone),
        Period.of("this_month", monthStart, today, zone),
        Period.of("last_month", lastMonthStart, monthStart.minusDays(1), zone));
  }
}
