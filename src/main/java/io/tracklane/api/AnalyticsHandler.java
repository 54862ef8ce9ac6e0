package io.tracklane.api;

import io.tracklane.domain.AnalyticsRange;
import io.tracklane.domain.NotFound;
import io.tracklane.stats.AnalyticsReport;
import io.tracklane.stats.StatsCache;
import io.tracklane.stats.StatsQuery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.LocalDate;

/**
 * GET /api/v1/analytics: the owner dashboard of the key's program for a range of days ending today
 * in the program's time zone, optionally one campaign's part. Computed from the rollups and cached
 * in Redis under the program's stats version; the cache key holds the current UTC quarter hour, so
 * "today" in any time zone is always the right day (a day starts on a quarter hour everywhere).
 */
public final class AnalyticsHandler {
  private final AnalyticsReport analytics;
  private final StatsCache cache;
  private final Clock clock;

  public AnalyticsHandler(Pool pool, StatsCache cache, Clock clock) {
    this.analytics = new AnalyticsReport(pool, new StatsQuery(pool));
    this.cache = cache;
    this.clock = clock;
  }

  public void register(Operations ops) {
    ops.on("getAnalytics", this::get);
  }

  private void get(RoutingContext ctx) {
    long programId = AuthHandler.principal(ctx).programId();
    String param = ctx.queryParams().get("range");
    String range = param == null || param.isEmpty() ? "30d" : param;
    Long campaignId = Params.optionalId(ctx, "campaign_id");
    // Checked before the cache, so a bad range is a 400 whatever is cached.
    AnalyticsRange.of(range, LocalDate.now(clock), null);
    long quarter = Math.floorDiv(clock.instant().getEpochSecond(), StatsQuery.BUCKET_SECONDS);
    String params = "range=" + range + "&campaign=" + (campaignId == null ? "" : campaignId) + "&q=" + quarter;
    cache.getEncoded(programId, "analytics", params, () -> compute(programId, range, campaignId))
        .onSuccess(body -> Responses.json(ctx, 200, body)).onFailure(ctx::fail);
  }

  private Future<JsonObject> compute(long programId, String range, Long campaignId) {
    return analytics.program(programId).compose(program -> {
      if (program == null) {
        return Future.failedFuture(new NotFound("program"));
      }
      LocalDate today = LocalDate.now(clock.withZone(program.zone()));
      Future<LocalDate> first = "all".equals(range) ? analytics.firstDay(programId, program.zone())
          : Future.succeededFuture(null);
      return first.compose(firstDay -> analytics.report(programId, campaignId, program,
          AnalyticsRange.of(range, today, firstDay)));
    });
  }
}
