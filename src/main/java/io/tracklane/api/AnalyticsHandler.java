package io.tracklane.api;

import io.tracklane.domain.AnalyticsRange;
import io.tracklane.store.AnalyticsRepository;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.LocalDate;

/**
 * GET /api/v1/analytics: the owner dashboard of the key's program for a range of days ending today
 * in the program's time zone, optionally one campaign's part. Computed from the ledger's facts on
 * each request (rollups and a cache come with issue 8).
 */
public final class AnalyticsHandler {
  private final AnalyticsRepository analytics;
  private final Clock clock;

  public AnalyticsHandler(Pool pool, Clock clock) {
    this.analytics = new AnalyticsRepository(pool);
    this.clock = clock;
  }

  public void register(Operations ops) {
    ops.on("getAnalytics", this::get);
  }

  private void get(RoutingContext ctx) {
    long programId = AuthHandler.principal(ctx).programId();
    String range = ctx.queryParams().get("range");
    Long campaignId = Params.optionalId(ctx, "campaign_id");
    analytics.program(programId).compose(program -> {
      LocalDate today = LocalDate.now(clock.withZone(program.zone()));
      LocalDate firstFact = program.firstFact() == null ? null
          : program.firstFact().atZoneSameInstant(program.zone()).toLocalDate();
      AnalyticsRange days = AnalyticsRange.of(range == null || range.isEmpty() ? "30d" : range, today, firstFact);
      return analytics.report(programId, campaignId, program, days);
    }).onSuccess(body -> Responses.json(ctx, 200, body)).onFailure(ctx::fail);
  }
}
