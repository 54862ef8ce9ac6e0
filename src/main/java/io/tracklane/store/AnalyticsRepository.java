package io.tracklane.store;

import io.tracklane.domain.AnalyticsRange;
import io.tracklane.domain.Ratios;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The owner dashboard (GET /analytics), computed on each request from the ledger's facts: clicks
 * (by created_at), credited leads and sales (by occurred_at, when they happened), refunds and
 * commissions. Reads only. Every query binds $1 program id, $2 campaign id or null, and the
 * instants [$3, $4) the days cover; days are cut with {@code AT TIME ZONE} in the program's zone,
 * so half-hour zones and DST days are exact.
 */
public final class AnalyticsRepository {
  /** The program's zone and currency, and when its first fact happened (null: none yet). */
  public record Program(ZoneId zone, String currency, OffsetDateTime firstFact) {
  }

  private static final String PROGRAM = """
      SELECT p.time_zone, p.currency,
             least((SELECT min(r.created_at) FROM clicks r WHERE r.program_id = p.id),
                   (SELECT min(v.occurred_at) FROM conversions v WHERE v.program_id = p.id),
                   (SELECT min(d.occurred_at) FROM leads d WHERE d.program_id = p.id)) AS first_fact
        FROM programs p WHERE p.id = $1""";
  /** The three kinds of fact a series counts: table alias, its time column, what counts. */
  static final String CLICKS = "FROM clicks r WHERE " + scope("r", "created_at");
  static final String LEADS = "FROM leads d WHERE " + scope("d", "occurred_at") + " AND d.status = 'credited'";
  static final String SALES = "FROM conversions v WHERE " + scope("v", "occurred_at")
      + " AND v.kind = 'sale' AND v.status = 'credited'";
  /** Counts in [$5, $4) and in the prior period [$3, $5). */
  private static final String COUNT = """
      SELECT count(*) FILTER (WHERE %1$s >= $5::timestamptz) AS now,
             count(*) FILTER (WHERE %1$s < $5::timestamptz) AS before,
             count(*) FILTER (WHERE %1$s >= $5::timestamptz AND %2$s) AS flagged
        %3$s""";
  /** Credited sales minus credited refunds, per currency: a refund counts when it happened. */
  static final String SIGNED_AMOUNT = "CASE WHEN v.kind = 'sale' THEN v.amount_minor ELSE -v.amount_minor END";
  private static final String REVENUE = "SELECT v.currency, sum(" + SIGNED_AMOUNT + ")::bigint AS amount "
      + "FROM conversions v WHERE " + scope("v", "occurred_at") + " AND v.status = 'credited' "
      + "GROUP BY v.currency ORDER BY v.currency";
  private static final String COMMISSIONS = "SELECT m.currency, sum(m.amount_minor)::bigint AS amount "
      + "FROM commissions m WHERE " + scope("m", "created_at") + " AND m.status <> 'voided' "
      + "GROUP BY m.currency ORDER BY m.currency";
  /** Every bucket from $6 to $7 by {@code step}, zeros included; $5 is the program's zone. */
  private static final String SERIES = """
      WITH c AS (SELECT %1$s AS bucket, count(*) AS n %2$s GROUP BY 1),
           l AS (SELECT %3$s AS bucket, count(*) AS n %4$s GROUP BY 1),
           s AS (SELECT %5$s AS bucket, count(*) AS n %6$s GROUP BY 1)
      SELECT g.bucket, coalesce(c.n, 0) AS clicks, coalesce(l.n, 0) AS leads, coalesce(s.n, 0) AS conversions
        FROM (SELECT b::date AS bucket FROM generate_series($6::date, $7::date, interval '%7$s') AS b) g
        LEFT JOIN c USING (bucket) LEFT JOIN l USING (bucket) LEFT JOIN s USING (bucket)
       ORDER BY g.bucket""";

  private final Pool pool;
  private final AnalyticsBreakdowns breakdowns;

  public AnalyticsRepository(Pool pool) {
    this.pool = pool;
    this.breakdowns = new AnalyticsBreakdowns(pool);
  }

  /** "x.program_id = $1 AND (campaign) AND x.time in [$3, $4)": the scope of every query here. */
  static String scope(String alias, String timeColumn) {
    String at = alias + "." + timeColumn;
    return alias + ".program_id = $1 AND ($2::bigint IS NULL OR " + alias + ".campaign_id = $2) AND " + at
        + " >= $3::timestamptz AND " + at + " < $4::timestamptz";
  }

  public Future<Program> program(long programId) {
    return pool.preparedQuery(PROGRAM).execute(Tuple.of(programId)).map(rows -> Rows.first(rows, r -> new Program(
        ZoneId.of(r.getString("time_zone")), r.getString("currency"), r.getOffsetDateTime("first_fact"))));
  }

  /** The whole answer for the program's range, optionally one campaign's part of it. */
  public Future<JsonObject> report(long programId, Long campaignId, Program program, AnalyticsRange range) {
    ZoneId zone = program.zone();
    OffsetDateTime start = startOf(range.from(), zone);
    OffsetDateTime end = startOf(range.to().plusDays(1), zone);
    OffsetDateTime priorStart = range.hasPrior() ? startOf(range.priorFrom(), zone) : start;
    Tuple counts = Tuple.of(programId, campaignId, priorStart, end, start);
    Tuple window = Tuple.of(programId, campaignId, start, end);
    String tz = zone.getId();
    Future<Row> clicks = one(count("r.created_at", "NOT 'duplicate' = ANY(r.flags)", CLICKS), counts);
    Future<Row> leads = one(count("d.occurred_at", "false", LEADS), counts);
    Future<Row> sales = one(count("v.occurred_at", "false", SALES), counts);
    Future<JsonArray> revenue = amounts(REVENUE, window);
    Future<JsonArray> commissions = amounts(COMMISSIONS, window);
    Future<JsonArray> daily = series("(%s AT TIME ZONE $5::text)::date", "1 day", "date", "yyyy-MM-dd",
        Tuple.of(programId, campaignId, startOf(range.dailyFrom(), zone), end, tz, range.dailyFrom(), range.to()));
    Future<JsonArray> monthly = series("date_trunc('month', %s AT TIME ZONE $5::text)::date", "1 month", "month",
        "yyyy-MM", Tuple.of(programId, campaignId, start, end, tz, range.from().withDayOfMonth(1), range.to()));
    Future<JsonArray> sources = breakdowns.sources(window);
    Future<JsonArray> affiliates = breakdowns.topAffiliates(window, program.currency());
    Future<JsonArray> campaigns = breakdowns.campaigns(window, program.currency());
    return Future.all(List.of(clicks, leads, sales, revenue, commissions, daily, monthly, sources,
        affiliates, campaigns)).map(all -> new JsonObject()
        .put("range", range.name())
        .put("time_zone", tz)
        .put("from", range.from().toString())
        .put("to", range.to().toString())
        .put("totals", new JsonObject()
            .put("clicks", clicks.result().getLong("now"))
            .put("unique_clicks", clicks.result().getLong("flagged"))
            .put("leads", leads.result().getLong("now"))
            .put("conversions", sales.result().getLong("now"))
            .put("conversion_rate", Ratios.rate(sales.result().getLong("now"), clicks.result().getLong("now")))
            .put("revenue", revenue.result())
            .put("commissions", commissions.result()))
        .put("trends", new JsonObject()
            .put("clicks", trend(range, clicks.result()))
            .put("leads", trend(range, leads.result()))
            .put("conversions", trend(range, sales.result())))
        .put("daily", daily.result())
        .put("monthly", monthly.result())
        .put("sources", sources.result())
        .put("top_affiliates", affiliates.result())
        .put("campaigns", campaigns.result()));
  }

  private static String count(String time, String flagged, String from) {
    return String.format(COUNT, time, flagged, from);
  }

  private static String trend(AnalyticsRange range, Row counts) {
    return range.hasPrior() ? Ratios.percentChange(counts.getLong("now"), counts.getLong("before")) : null;
  }

  private static OffsetDateTime startOf(LocalDate day, ZoneId zone) {
    return day.atStartOfDay(zone).toOffsetDateTime();
  }

  private Future<Row> one(String sql, Tuple args) {
    return pool.preparedQuery(sql).execute(args).map(rows -> rows.iterator().next());
  }

  private Future<JsonArray> amounts(String sql, Tuple args) {
    return pool.preparedQuery(sql).execute(args).map(AnalyticsRepository::amounts);
  }

  /** Rows of (currency, amount) as the API's [{currency, amount_cents}]. */
  static JsonArray amounts(RowSet<Row> rows) {
    JsonArray out = new JsonArray();
    rows.forEach(r -> out.add(new JsonObject().put("currency", r.getString("currency"))
        .put("amount_cents", r.getLong("amount"))));
    return out;
  }

  private Future<JsonArray> series(String bucket, String step, String key, String pattern, Tuple args) {
    String sql = String.format(SERIES, String.format(bucket, "r.created_at"), CLICKS,
        String.format(bucket, "d.occurred_at"), LEADS, String.format(bucket, "v.occurred_at"), SALES, step);
    DateTimeFormatter format = DateTimeFormatter.ofPattern(pattern);
    return pool.preparedQuery(sql).execute(args).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(new JsonObject().put(key, r.getLocalDate("bucket").format(format))
          .put("clicks", r.getLong("clicks")).put("leads", r.getLong("leads"))
          .put("conversions", r.getLong("conversions"))));
      return out;
    });
  }
}
