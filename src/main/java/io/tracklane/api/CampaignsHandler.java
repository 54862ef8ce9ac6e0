package io.tracklane.api;

import io.tracklane.domain.CampaignTerms;
import io.tracklane.http.HttpError;
import io.tracklane.store.AuditLog;
import io.tracklane.store.CampaignRepository;
import io.tracklane.store.Filter;
import io.tracklane.store.ProgramRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

/** /api/v1/campaigns: list, get, create, update. */
public final class CampaignsHandler {
  private final Pool pool;
  private final CampaignRepository campaigns;
  private final ProgramRepository programs;
  private final AuditLog audit;
  private final Runnable onChange;

  public CampaignsHandler(Pool pool, CampaignRepository campaigns, ProgramRepository programs, AuditLog audit,
      Runnable onChange) {
    this.pool = pool;
    this.campaigns = campaigns;
    this.programs = programs;
    this.audit = audit;
    this.onChange = onChange;
  }

  public void register(Operations ops) {
    ops.on("listCampaigns", this::list);
    ops.on("getCampaign", this::get);
    ops.on("createCampaign", this::create);
    ops.on("updateCampaign", this::update);
  }

  private void list(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Filter filter = Filter.program(AuthHandler.principal(ctx).programId())
        .add("state = ?", Params.optionalOneOf(ctx, "state", "active", "disabled"))
        .add("created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    Responses.page(ctx, page, campaigns.list(filter, page.offset(), page.limit()));
  }

  private void get(RoutingContext ctx) {
    Responses.found(ctx, campaigns.get(AuthHandler.principal(ctx).programId(), Params.pathId(ctx, "campaign_id")),
        "Campaign");
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, CampaignInput.FIELDS);
    long programId = AuthHandler.principal(ctx).programId();
    AuditLog.Actor actor = Responses.actor(ctx);
    programs.findById(programId)
        .map(program -> CampaignInput.terms(body, program.currency()))
        .compose(values -> pool.withTransaction(tx -> campaigns.create(tx, programId, values)
            .compose(id -> campaigns.get(tx, programId, id))
            .compose(created -> audit.record(tx, actor, "campaign.created", "campaign", created.getString("id"), null,
                created).map(created))))
        .onSuccess(created -> {
          onChange.run();
          Responses.json(ctx, 201, created);
        })
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, CampaignInput.FIELDS);
    Json.notNull(body, "name", "landing_page_url", "reward_type", "currency", "state", "reward_cadence");
    long programId = AuthHandler.principal(ctx).programId();
    long id = Params.pathId(ctx, "campaign_id");
    AuditLog.Actor actor = Responses.actor(ctx);
    pool.withTransaction(tx -> campaigns.lock(tx, programId, id).compose(before -> {
      if (before == null) {
        return Future.failedFuture(HttpError.notFound("Campaign not found."));
      }
      CampaignTerms values = CampaignInput.terms(before.copy().mergeIn(body), before.getString("currency"));
      return campaigns.update(tx, programId, id, values).compose(updated -> updated
          ? campaigns.get(tx, programId, id)
          : Future.failedFuture(HttpError.conflict("The campaign's currency cannot change once conversions, "
              + "leads or commissions were recorded under it; create a new campaign instead.")))
          .compose(after -> audit.record(tx, actor, "campaign.updated", "campaign", id, before, after).map(after));
    })).onSuccess(updated -> {
      onChange.run();
      Responses.json(ctx, 200, updated);
    }).onFailure(ctx::fail);
  }
}
