package io.tracklane.api;

import io.tracklane.domain.NotFound;
import io.tracklane.domain.UserAgents;
import io.tracklane.stats.Dimension;
import io.tracklane.stats.StatsCache;
import io.tracklane.stats.StatsFilter;
import io.tracklane.stats.StatsQuery;
import io.tracklane.stats.StatsReport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

/**
 * GET /api/v1/reports: the program's measures over a span of days grouped by time or by a dimension,
 * filtered, from the rollups through the stats cache; one page as JSON, or every row as CSV with
 * {@code Accept: text/csv}.
 */
public final class ReportsHandler {
  /** The program's zone, and whether every id the filters name is one of the program's. */
  private static final String ZONE = """
      SELECT p.time_zone,
             ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM campaigns WHERE program_id = p.id AND id = $2))
         AND ($3::bigint IS NULL OR EXISTS (SELECT 1 FROM affiliates WHERE program_id = p.id AND id = $3))
         AND ($4::bigint IS NULL OR EXISTS (SELECT 1 FROM links WHERE program_id = p.id AND id = $4)) AS owned
        FROM programs p WHERE p.id = $1""";
  private final Pool pool;
  private final StatsReport reports;
  private final StatsCache cache;
  private final Clock clock;

  public ReportsHandler(Pool pool, StatsCache cache, Clock clock) {
    this.pool = pool;
    this.reports = new StatsReport(new StatsQuery(pool));
    this.cache = cache;
    this.clock = clock;
  }

  public void register(Operations ops) {
    ops.on("getReport", this::get);
  }

  private void get(RoutingContext ctx) {
    long programId = AuthHandler.principal(ctx).programId();
    boolean csv = Csv.wanted(ctx);
    PageRequest page = csv ? null : PageRequest.from(ctx);
    String groupParam = ctx.queryParams().get("group_by");
    Dimension groupBy = Dimension.fromWire("group_by", groupParam == null || groupParam.isEmpty() ? "day" : groupParam);
    StatsFilter filter = filter(ctx);
    String tzParam = Params.optionalText(ctx, "timezone", 64);
    pool.preparedQuery(ZONE).execute(Tuple.of(programId, filter.campaignId(), filter.affiliateId(), filter.linkId()))
        .compose(found -> {
      if (found.size() == 0) {
        return Future.failedFuture(new NotFound("no such program"));
      }
      var program = found.iterator().next();
      ZoneId zone = StatsReport.zone("timezone", tzParam, ZoneId.of(program.getString("time_zone")));
      LocalDate today = LocalDate.now(clock.withZone(zone));
      LocalDate to = orElse(StatsReport.date("to", ctx.queryParams().get("to")), today);
      LocalDate from = orElse(StatsReport.date("from", ctx.queryParams().get("from")), to.minusDays(29));
      StatsReport.Request request = new StatsReport.Request(groupBy, from, to, zone, filter);
      if (!program.getBoolean("owned")) {
        // Another program's campaign, affiliate or link matches nothing: no rows, not even zero days.
        return Future.succeededFuture(new JsonObject().put("group_by", groupBy.wire()).put("from", from.toString())
            .put("to", to.toString()).put("time_zone", zone.getId()).put("rows", new JsonArray()));
      }
      return cache.get(programId, "reports", request.cacheKey(), () -> reports.compute(programId, null, request));
    }).onSuccess(report -> {
      if (csv) {
        csv(ctx, report, "report");
      } else {
        JsonArray rows = report.getJsonArray("rows");
        JsonArray slice = new JsonArray(rows.getList().subList((int) Math.min(rows.size(), page.offset()),
            (int) Math.min(rows.size(), page.offset() + page.limit())));
        JsonObject body = page.envelope(slice, rows.size());
        Responses.json(ctx, 200, body.put("group_by", report.getString("group_by"))
            .put("from", report.getString("from")).put("to", report.getString("to"))
            .put("time_zone", report.getString("time_zone")));
      }
    }).onFailure(ctx::fail);
  }

  /** The dimension filters of the query (campaign_id, affiliate_id, link_id, source, sub1..sub5, device). */
  static StatsFilter filter(RoutingContext ctx) {
    return new StatsFilter(Params.optionalId(ctx, "campaign_id"), Params.optionalId(ctx, "affiliate_id"),
        Params.optionalId(ctx, "link_id"), Params.optionalText(ctx, "source", 255),
        Params.optionalText(ctx, "sub1", 255), Params.optionalText(ctx, "sub2", 255),
        Params.optionalText(ctx, "sub3", 255), Params.optionalText(ctx, "sub4", 255),
        Params.optionalText(ctx, "sub5", 255),
        Params.optionalOneOf(ctx, "device", UserAgents.DEVICE_CLASSES.toArray(String[]::new)));
  }

  /** Every row of a report as CSV with a header line (one line per row and currency). */
  static void csv(RoutingContext ctx, JsonObject report, String name) {
    StringBuilder out = new StringBuilder(Csv.line(StatsReport.CSV_COLUMNS));
    for (Object o : report.getJsonArray("rows")) {
      for (List<Object> line : StatsReport.csvLines((JsonObject) o)) {
        out.append(Csv.line(line));
      }
    }
    ctx.response().putHeader("Content-Type", "text/csv; charset=utf-8")
        .putHeader("Content-Disposition", "attachment; filename=\"" + name + ".csv\"").end(out.toString());
  }

  private static LocalDate orElse(LocalDate value, LocalDate fallback) {
    return value == null ? fallback : value;
  }

}
