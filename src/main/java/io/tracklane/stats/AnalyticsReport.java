package io.tracklane.stats;

import io.tracklane.domain.AnalyticsRange;
import io.tracklane.domain.Ratios;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The owner dashboard (GET /analytics) from the rollups: totals and trends against the prior
 * period, every day and month of the range in the program's time zone (zeros included), sources,
 * the top ten affiliates by revenue and every campaign. Reads only rollups, plus the names of the
 * campaigns and affiliates it lists.
 */
public final class AnalyticsReport {
  /** The program's zone and currency. */
  public record Program(ZoneId zone, String currency) {
  }

  private static final String PROGRAM = "SELECT time_zone, currency FROM programs WHERE id = $1";
  private static final String AFFILIATES = """
      SELECT id, first_name, last_name, email FROM affiliates WHERE program_id = $1 AND id = ANY($2::bigint[])""";
  private static final String CAMPAIGNS = """
      SELECT id, name FROM campaigns WHERE program_id = $1 AND ($2::bigint IS NULL OR id = $2) ORDER BY id""";

  private final Pool pool;
  private final StatsQuery stats;

  public AnalyticsReport(Pool pool, StatsQuery stats) {
    this.pool = pool;
    this.stats = stats;
  }

  /** The program's zone and currency; null when there is no such program. */
  public Future<Program> program(long programId) {
    return pool.preparedQuery(PROGRAM).execute(Tuple.of(programId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      return new Program(ZoneId.of(r.getString("time_zone")), r.getString("currency"));
    });
  }

  /** The day of the program's first fact in its zone (null: none yet): where {@code all} starts. */
  public Future<LocalDate> firstDay(long programId, ZoneId zone) {
    return stats.firstFact(programId, null).map(at -> at == null ? null : at.atZone(zone).toLocalDate());
  }

  /** The whole answer for the range, optionally one campaign's part of it. */
  public Future<JsonObject> report(long programId, Long campaignId, Program program, AnalyticsRange range) {
    ZoneId zone = program.zone();
    Instant start = startOf(range.from(), zone);
    Instant end = startOf(range.to().plusDays(1), zone);
    StatsFilter filter = StatsFilter.campaign(campaignId);
    Future<Measures> now = stats.totals(programId, null, filter, start, end);
    Future<Measures> before = range.hasPrior()
        ? stats.totals(programId, null, filter, startOf(range.priorFrom(), zone), start)
        : Future.succeededFuture(Measures.ZERO);
    Future<List<StatsRow>> daily = stats.query(programId, null, filter, Dimension.DAY,
        startOf(range.dailyFrom(), zone), end, zone);
    Future<List<StatsRow>> monthly = stats.query(programId, null, filter, Dimension.MONTH, start, end, zone);
    Future<List<StatsRow>> sources = stats.query(programId, null, filter, Dimension.SOURCE, start, end, zone);
    Future<JsonArray> affiliates = stats.query(programId, null, filter, Dimension.AFFILIATE, start, end, zone)
        .compose(rows -> topAffiliates(programId, rows, program.currency()));
    Future<JsonArray> campaigns = stats.query(programId, null, filter, Dimension.CAMPAIGN, start, end, zone)
        .compose(rows -> campaigns(programId, campaignId, rows));
    return Future.all(List.of(now, before, daily, monthly, sources, affiliates, campaigns)).map(all -> {
      Measures m = now.result();
      Measures p = before.result();
      return new JsonObject()
          .put("range", range.name())
          .put("time_zone", zone.getId())
          .put("from", range.from().toString())
          .put("to", range.to().toString())
          .put("totals", new JsonObject()
              .put("clicks", m.clicks())
              .put("unique_clicks", m.uniqueClicks())
              .put("leads", m.leads())
              .put("conversions", m.conversions())
              .put("conversion_rate", m.conversionRate())
              .put("revenue", revenue(m))
              .put("commissions", commissions(m)))
          .put("trends", new JsonObject()
              .put("clicks", trend(range, m.clicks(), p.clicks()))
              .put("leads", trend(range, m.leads(), p.leads()))
              .put("conversions", trend(range, m.conversions(), p.conversions())))
          .put("daily", days(daily.result(), range.dailyFrom(), range.to()))
          .put("monthly", months(monthly.result(), YearMonth.from(range.from()), YearMonth.from(range.to())))
          .put("sources", sources(sources.result()))
          .put("top_affiliates", affiliates.result())
          .put("campaigns", campaigns.result());
    });
  }

  /** Revenue per currency that had a credited sale or refund. */
  static JsonArray revenue(Measures m) {
    JsonArray out = new JsonArray();
    m.amounts().stream().filter(a -> a.revenue() != 0 || a.refunded() != 0).forEach(a -> out.add(
        new JsonObject().put("currency", a.currency()).put("amount_cents", a.revenue())));
    return out;
  }

  /** Commissions not voided, per currency that has any. */
  static JsonArray commissions(Measures m) {
    JsonArray out = new JsonArray();
    m.amounts().stream().filter(a -> a.commissionPending() != 0 || a.commissionDue() != 0 || a.commissionPaid() != 0)
        .forEach(a -> out.add(new JsonObject().put("currency", a.currency()).put("amount_cents", a.commissionEarned())));
    return out;
  }

  private static String trend(AnalyticsRange range, long now, long before) {
    return range.hasPrior() ? Ratios.percentChange(now, before) : null;
  }

  /** Every day from {@code from} to {@code to}, zeros included. */
  static JsonArray days(List<StatsRow> rows, LocalDate from, LocalDate to) {
    Map<String, Measures> byKey = byKey(rows);
    JsonArray out = new JsonArray();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      Measures m = byKey.getOrDefault(d.toString(), Measures.ZERO);
      out.add(new JsonObject().put("date", d.toString()).put("clicks", m.clicks()).put("leads", m.leads())
          .put("conversions", m.conversions()));
    }
    return out;
  }

  private static JsonArray months(List<StatsRow> rows, YearMonth from, YearMonth to) {
    Map<String, Measures> byKey = byKey(rows);
    JsonArray out = new JsonArray();
    for (YearMonth mo = from; !mo.isAfter(to); mo = mo.plusMonths(1)) {
      Measures m = byKey.getOrDefault(mo.toString(), Measures.ZERO);
      out.add(new JsonObject().put("month", mo.toString()).put("clicks", m.clicks()).put("leads", m.leads())
          .put("conversions", m.conversions()));
    }
    return out;
  }

  /** Sources with a click or a sale, by clicks, then sales, then name; at most 20. */
  private static JsonArray sources(List<StatsRow> rows) {
    List<JsonObject> list = new ArrayList<>();
    for (StatsRow r : rows) {
      Measures m = r.measures();
      if (m.clicks() > 0 || m.conversions() > 0) {
        list.add(new JsonObject().put("source", r.key() == null ? "(none)" : r.key()).put("clicks", m.clicks())
            .put("conversions", m.conversions()));
      }
    }
    list.sort(Comparator.<JsonObject>comparingLong(o -> -o.getLong("clicks"))
        .thenComparingLong(o -> -o.getLong("conversions")).thenComparing(o -> o.getString("source")));
    JsonArray out = new JsonArray();
    list.stream().limit(20).forEach(out::add);
    return out;
  }

  /**
   * Affiliates with a click, a credited sale or a refund, by revenue in the program's currency, then
   * by the sum of revenue over every currency, then by id; the first ten.
   */
  private Future<JsonArray> topAffiliates(long programId, List<StatsRow> rows, String currency) {
    List<StatsRow> active = new ArrayList<>();
    for (StatsRow r : rows) {
      Measures m = r.measures();
      if (r.key() != null && (m.clicks() > 0 || m.conversions() > 0 || m.refunds() > 0)) {
        active.add(r);
      }
    }
    active.sort(Comparator.<StatsRow>comparingLong(r -> -r.measures().in(currency).revenue())
        .thenComparingLong(r -> -r.measures().amounts().stream().mapToLong(Amounts::revenue).sum())
        .thenComparingLong(r -> Long.parseLong(r.key())));
    List<StatsRow> top = active.subList(0, Math.min(10, active.size()));
    if (top.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    Long[] ids = top.stream().map(r -> Long.valueOf(r.key())).toArray(Long[]::new);
    return pool.preparedQuery(AFFILIATES).execute(Tuple.tuple().addValue(programId).addValue(ids)).map(names -> {
      Map<Long, String> byId = new HashMap<>();
      for (Row n : names) {
        String full = (n.getString("first_name") + " " + n.getString("last_name")).trim();
        byId.put(n.getLong("id"), full.isEmpty() ? n.getString("email") : full);
      }
      JsonArray out = new JsonArray();
      for (StatsRow r : top) {
        Measures m = r.measures();
        out.add(new JsonObject().put("affiliate_id", r.key()).put("name", byId.get(Long.valueOf(r.key())))
            .put("clicks", m.clicks()).put("conversions", m.conversions()).put("revenue", revenue(m)));
      }
      return out;
    });
  }

  /** Every campaign of the program (or the one asked for), activity or not, by id. */
  private Future<JsonArray> campaigns(long programId, Long campaignId, List<StatsRow> rows) {
    Map<String, Measures> byKey = byKey(rows);
    return pool.preparedQuery(CAMPAIGNS).execute(Tuple.of(programId, campaignId)).map(list -> {
      JsonArray out = new JsonArray();
      for (Row c : list) {
        String id = Long.toString(c.getLong("id"));
        Measures m = byKey.getOrDefault(id, Measures.ZERO);
        out.add(new JsonObject().put("campaign_id", id).put("name", c.getString("name")).put("clicks", m.clicks())
            .put("conversions", m.conversions()).put("revenue", revenue(m)));
      }
      return out;
    });
  }

  private static Map<String, Measures> byKey(List<StatsRow> rows) {
    Map<String, Measures> out = new HashMap<>();
    rows.forEach(r -> out.put(r.key(), r.measures()));
    return out;
  }

  static Instant startOf(LocalDate day, ZoneId zone) {
    return day.atStartOfDay(zone).toInstant();
  }
}
