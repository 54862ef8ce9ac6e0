package io.tracklane.api;

import io.tracklane.http.HttpError;
import io.tracklane.store.AuditLog;
import io.tracklane.store.CampaignRepository;
import io.tracklane.store.Filter;
import io.tracklane.store.ProgramRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

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
        .map(program -> CampaignInput.toTuple(body, program.currency()))
        .compose(values -> pool.withTransaction(tx -> campaigns.create(tx, programId, values)
            .compose(id -> audit.record(tx, actor, "campaign.created", "campaign", id, null, body).map(id))))
        .compose(id -> campaigns.get(programId, id))
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
    campaigns.get(programId, id).compose(before -> {
      if (before == null) {
        return Future.failedFuture(HttpError.notFound("Campaign not found."));
      }
      Tuple values = CampaignInput.toTuple(before.copy().mergeIn(body), before.getString("currency"));
      boolean currencyChanges = body.getString("currency") != null
          && !body.getString("currency").equalsIgnoreCase(before.getString("currency"));
      return pool.withTransaction(tx -> (currencyChanges ? campaigns.hasFacts(tx, programId, id)
              : Future.succeededFuture(false))
          .compose(facts -> facts ? Future.failedFuture(HttpError.badRequest(
              "currency cannot change once the campaign has conversions, leads or commissions"))
              : campaigns.update(tx, programId, id, values))
              .compose(v -> audit.record(tx, actor, "campaign.updated", "campaign", id, before, body)))
          .compose(v -> campaigns.get(programId, id));
    }).onSuccess(updated -> {
      onChange.run();
      Responses.json(ctx, 200, updated);
    }).onFailure(ctx::fail);
  }
}
