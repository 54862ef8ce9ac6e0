package io.tracklane.api;

import io.tracklane.domain.DashboardPeriods;
import io.tracklane.stats.Dimension;
import io.tracklane.stats.Measures;
import io.tracklane.stats.StatsCache;
import io.tracklane.stats.StatsFilter;
import io.tracklane.stats.StatsQuery;
import io.tracklane.stats.StatsReport;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The partner API's figures: the stats layer's rollup queries ({@link StatsQuery}), always narrowed
 * to the key's affiliate, each answer kept in the stats cache ({@link StatsCache}) under a key that
 * names the affiliate and every parameter, so it is read from Redis until the ledger changes the
 * program's figures.
 */
public final class AffiliateStats {
  /** All time: from the epoch to a date no fact reaches, both on quarter hours as the rollups need. */
  private static final Instant EVER = Instant.EPOCH;
  private static final Instant NEVER = Instant.parse("3000-01-01T00:00:00Z");

  private final StatsQuery query;
  private final StatsReport reports;
  private final StatsCache cache;
  private final Clock clock;

  public AffiliateStats(StatsQuery query, StatsCache cache, Clock clock) {
    this.query = query;
    this.reports = new StatsReport(query);
    this.cache = cache;
    this.clock = clock;
  }

  /**
   * Today, yesterday, this month and last month in the affiliate's zone: the dashboard_summary
   * answer, encoded. The cache key holds the current UTC quarter hour (every zone's midnight falls on
   * one), not the zone, so a cached answer costs no lookup of it; a zone changed through the API
   * makes the program's answers stale like any other change (the API bumps the stats version).
   */
  public Future<Buffer> summary(long programId, long affiliateId, Supplier<Future<ZoneId>> zoneOf) {
    long quarter = Math.floorDiv(clock.instant().getEpochSecond(), StatsQuery.BUCKET_SECONDS);
    String params = "a=" + affiliateId + "|q=" + quarter;
    return cache.getEncoded(programId, "affiliate_dashboard_summary", params, () -> zoneOf.get().compose(zone -> {
      List<DashboardPeriods.Period> periods = DashboardPeriods.at(clock.instant(), zone);
      List<Future<Measures>> each = periods.stream().map(p -> query.totals(programId, affiliateId,
          StatsFilter.NONE.withAffiliate(affiliateId), p.start(), p.end())).toList();
      return Future.all(each).map(all -> {
        JsonObject body = new JsonObject().put("time_zone", zone.getId());
        for (int i = 0; i < periods.size(); i++) {
          DashboardPeriods.Period p = periods.get(i);
          JsonObject figures = json(each.get(i).result());
          figures.remove("unique_clicks");
          body.put(p.name(), new JsonObject().put("from", p.from().toString()).put("to", p.to().toString())
              .mergeIn(figures));
        }
        return body;
      });
    }));
  }

  /**
   * The report ({@link StatsReport#compute}, narrowed to the affiliate) with rows in the partner's
   * shape: {"rows": [{group, clicks, unique_clicks, conversions, revenue, commissions}]}, every day
   * for {@link Dimension#DAY} (zeros included, oldest first), else the groups with a fact, most
   * clicks first and then by group.
   */
  public Future<JsonObject> report(long programId, long affiliateId, StatsReport.Request request) {
    StatsReport.Request own = new StatsReport.Request(request.groupBy(), request.from(), request.to(),
        request.zone(), request.filter().withAffiliate(affiliateId));
    return cache.get(programId, "affiliate_report", "a=" + affiliateId + "&" + own.cacheKey(),
        () -> reports.compute(programId, affiliateId, own).map(report -> {
          List<JsonObject> rows = new ArrayList<>();
          report.getJsonArray("rows").forEach(r -> rows.add(partnerRow((JsonObject) r)));
          if (request.groupBy() != Dimension.DAY) {
            rows.sort(byClicks(request.groupBy()));
          }
          return new JsonObject().put("rows", new JsonArray(new ArrayList<>(rows)));
        }));
  }

  /** The all-time figures of each of the affiliate's links ({@link Dimension#LINK}) or campaigns, by id. */
  public Future<JsonObject> allTime(long programId, long affiliateId, Dimension groupBy) {
    return cache.get(programId, "affiliate_" + groupBy.wire() + "_stats", "a=" + affiliateId, () -> query.query(
        programId, affiliateId, StatsFilter.NONE.withAffiliate(affiliateId), groupBy, EVER, NEVER, ZoneOffset.UTC)
        .map(rows -> {
          JsonObject byId = new JsonObject();
          rows.stream().filter(r -> r.key() != null).forEach(r -> byId.put(r.key(), json(r.measures())));
          return byId;
        }));
  }

  /** The figures an affiliate sees: counts, revenue and commissions (not voided) per currency. */
  public static JsonObject json(Measures m) {
    return new JsonObject().put("clicks", m.clicks()).put("unique_clicks", m.uniqueClicks())
        .put("conversions", m.conversions()).put("revenue", m.revenueJson()).put("commissions", m.commissionsJson());
  }

  /** A row of {@link StatsReport} as the partner sees it: revenue, and commissions not voided. */
  static JsonObject partnerRow(JsonObject row) {
    JsonArray revenue = new JsonArray();
    JsonArray commissions = new JsonArray();
    row.getJsonArray("amounts").forEach(o -> {
      JsonObject a = (JsonObject) o;
      JsonObject c = a.getJsonObject("commissions");
      revenue.add(new JsonObject().put("currency", a.getString("currency")).put("amount_cents",
          a.getLong("revenue_cents")));
      commissions.add(new JsonObject().put("currency", a.getString("currency")).put("amount_cents",
          c.getLong("pending") + c.getLong("due") + c.getLong("paid")));
    });
    return new JsonObject().put("group", row.getString("key")).put("clicks", row.getLong("clicks"))
        .put("unique_clicks", row.getLong("unique_clicks")).put("conversions", row.getLong("conversions"))
        .put("revenue", revenue).put("commissions", commissions);
  }

  /** Most clicks first, then by group (ids as numbers), the group without a value last. */
  private static Comparator<JsonObject> byClicks(Dimension groupBy) {
    Comparator<String> byKey = groupBy == Dimension.CAMPAIGN || groupBy == Dimension.LINK
        ? Comparator.comparing(Long::valueOf) : Comparator.naturalOrder();
    return Comparator.comparingLong((JsonObject r) -> -r.getLong("clicks"))
        .thenComparing(r -> r.getString("group"), Comparator.nullsLast(byKey));
  }
}
