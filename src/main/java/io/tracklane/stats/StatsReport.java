package io.tracklane.stats;

import io.tracklane.domain.InvalidInput;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A report: the measures of a span of days (both ends included, in {@code zone}) grouped by one
 * dimension, as {@code {"group_by", "from", "to", "time_zone", "rows": [...]}}. Day and month
 * groupings list every day or month of the span, zeros included; the others list the groups that
 * have facts. Shared by the owner's GET /reports and the affiliate API's reports.
 */
public final class StatsReport {
  /** The longest span a report covers. */
  public static final int MAX_DAYS = 3660;

  /** What a report is asked for, checked; {@link #cacheKey} names every input. */
  public record Request(Dimension groupBy, LocalDate from, LocalDate to, ZoneId zone, StatsFilter filter) {
    public Request {
      if (to.isBefore(from)) {
        throw new InvalidInput("to", "must not be before from");
      }
      if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
        throw new InvalidInput("to", "must be at most " + MAX_DAYS + " days after from");
      }
      if (groupBy == Dimension.TOTAL || groupBy == Dimension.HOUR) {
        throw new InvalidInput("group_by", "must be a day, month or dimension grouping");
      }
    }

    public String cacheKey() {
      return "g=" + groupBy.wire() + "&f=" + from + "&t=" + to + "&z=" + zone.getId() + "&q=" + filter.key();
    }
  }

  private final StatsQuery stats;

  public StatsReport(StatsQuery stats) {
    this.stats = stats;
  }

  /** Parses a date parameter (YYYY-MM-DD); null when absent. */
  public static LocalDate date(String param, String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new InvalidInput(param, "must be a date (YYYY-MM-DD)");
    }
  }

  /** Parses a time zone parameter (an IANA name such as Asia/Kolkata); {@code fallback} when absent. */
  public static ZoneId zone(String param, String value, ZoneId fallback) {
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      return ZoneId.of(value);
    } catch (DateTimeException e) {
      throw new InvalidInput(param, "must be an IANA time zone such as Europe/Paris");
    }
  }

  /** The report of the program (or of one affiliate, {@code affiliateId} not null). */
  public Future<JsonObject> compute(long programId, Long affiliateId, Request r) {
    ZoneId zone = r.zone();
    return stats.query(programId, affiliateId, r.filter(), r.groupBy(), r.from().atStartOfDay(zone).toInstant(),
        r.to().plusDays(1).atStartOfDay(zone).toInstant(), zone).map(rows -> {
          JsonArray out = new JsonArray();
          if (r.groupBy() == Dimension.DAY || r.groupBy() == Dimension.MONTH) {
            Map<String, Measures> byKey = new HashMap<>();
            rows.forEach(row -> byKey.put(row.key(), row.measures()));
            for (String key : timeKeys(r)) {
              out.add(row(key, byKey.getOrDefault(key, Measures.ZERO)));
            }
          } else {
            rows.forEach(row -> out.add(row(row.key(), row.measures())));
          }
          return new JsonObject().put("group_by", r.groupBy().wire()).put("from", r.from().toString())
              .put("to", r.to().toString()).put("time_zone", zone.getId()).put("rows", out);
        });
  }

  private static List<String> timeKeys(Request r) {
    List<String> keys = new ArrayList<>();
    if (r.groupBy() == Dimension.DAY) {
      for (LocalDate d = r.from(); !d.isAfter(r.to()); d = d.plusDays(1)) {
        keys.add(d.toString());
      }
    } else {
      for (YearMonth m = YearMonth.from(r.from()); !m.isAfter(YearMonth.from(r.to())); m = m.plusMonths(1)) {
        keys.add(m.toString());
      }
    }
    return keys;
  }

  /** One report row: the group's key and its measures. */
  public static JsonObject row(String key, Measures m) {
    return new JsonObject().put("key", key).mergeIn(m.toJson());
  }

  /** The CSV header of {@link #csvLines}. */
  public static final List<String> CSV_COLUMNS = List.of("key", "clicks", "unique_clicks", "bot_clicks",
      "duplicate_clicks", "impressions", "leads", "conversions", "refunds", "conversion_rate", "currency",
      "revenue_cents", "refunded_cents", "commission_pending_cents", "commission_due_cents", "commission_paid_cents",
      "commission_voided_cents");

  /**
   * The cells of one report row as CSV lines: one line per currency (the counts repeated on each),
   * or one line with empty money cells when the row has no amounts.
   */
  public static List<List<Object>> csvLines(JsonObject row) {
    List<Object> counts = List.of(nz(row.getString("key")), row.getLong("clicks"), row.getLong("unique_clicks"),
        row.getLong("bot_clicks"), row.getLong("duplicate_clicks"), row.getLong("impressions"), row.getLong("leads"),
        row.getLong("conversions"), row.getLong("refunds"), nz(row.getString("conversion_rate")));
    List<List<Object>> lines = new ArrayList<>();
    JsonArray amounts = row.getJsonArray("amounts");
    if (amounts.isEmpty()) {
      List<Object> line = new ArrayList<>(counts);
      for (int i = 0; i < 7; i++) {
        line.add("");
      }
      lines.add(line);
    }
    for (Object o : amounts) {
      JsonObject a = (JsonObject) o;
      JsonObject c = a.getJsonObject("commissions");
      List<Object> line = new ArrayList<>(counts);
      line.addAll(List.of(a.getString("currency"), a.getLong("revenue_cents"), a.getLong("refunded_cents"),
          c.getLong("pending"), c.getLong("due"), c.getLong("paid"), c.getLong("voided")));
      lines.add(line);
    }
    return lines;
  }

  private static Object nz(Object o) {
    return o == null ? "" : o;
  }
}
