package io.tracklane.api;

import io.tracklane.http.HttpError;
import io.tracklane.store.AffiliateRepository;
import io.tracklane.store.AuditLog;
import io.tracklane.store.CampaignRepository;
import io.tracklane.store.Filter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.Set;

/** /api/v1/affiliates: list, get, enroll in a campaign, update. */
public final class AffiliatesHandler {
  private static final Set<String> ENROLL_FIELDS = Set.of("campaign_id", "first_name", "last_name", "email", "state");
  private static final Set<String> UPDATE_FIELDS = Set.of("first_name", "last_name", "payout_email", "state");

  private final Pool pool;
  private final AffiliateRepository affiliates;
  private final CampaignRepository campaigns;
  private final AuditLog audit;
  private final Runnable onChange;

  public AffiliatesHandler(Pool pool, AffiliateRepository affiliates, CampaignRepository campaigns, AuditLog audit,
      Runnable onChange) {
    this.pool = pool;
    this.affiliates = affiliates;
    this.campaigns = campaigns;
    this.audit = audit;
    this.onChange = onChange;
  }

  public void register(Operations ops) {
    ops.on("listAffiliates", this::list);
    ops.on("getAffiliate", this::get);
    ops.on("enrollAffiliate", this::enroll);
    ops.on("updateAffiliate", this::update);
  }

  private void list(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Filter filter = Filter.program("a.program_id", AuthHandler.principal(ctx).programId())
        .add("a.state = ?", Params.optionalOneOf(ctx, "state", "active", "pending", "disabled"))
        .add("lower(a.email) = lower(?)", Params.optionalText(ctx, "email", 320))
        .add("EXISTS (SELECT 1 FROM enrollments e WHERE e.affiliate_id = a.id AND e.campaign_id = ?)",
            Params.optionalId(ctx, "campaign_id"))
        .add("a.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("a.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    Responses.page(ctx, page, affiliates.list(filter, page.offset(), page.limit()));
  }

  private void get(RoutingContext ctx) {
    Responses.found(ctx, affiliates.get(AuthHandler.principal(ctx).programId(), Params.pathId(ctx, "affiliate_id")),
        "Affiliate");
  }

  private void enroll(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, ENROLL_FIELDS);
    Long campaignId = Json.id(body, "campaign_id");
    if (campaignId == null) {
      throw HttpError.badRequest("campaign_id is required");
    }
    String email = Json.required(body, "email", 320).toLowerCase(java.util.Locale.ROOT);
    if (!email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
      throw HttpError.badRequest("email must be an e-mail address");
    }
    String first = orEmpty(Json.string(body, "first_name", 200));
    String last = orEmpty(Json.string(body, "last_name", 200));
    String state = Json.oneOf(body, "state", "active", "pending", "disabled");
    long programId = AuthHandler.principal(ctx).programId();
    AuditLog.Actor actor = Responses.actor(ctx);
    campaigns.get(programId, campaignId).compose(campaign -> {
      if (campaign == null) {
        return Future.failedFuture(HttpError.badRequest("campaign_id names no campaign of this program"));
      }
      String enrolState = state != null ? state : campaign.getBoolean("auto_approve_affiliates") ? "active" : "pending";
      return pool.withTransaction(tx -> affiliates.upsert(tx, programId, first, last, email).compose(found -> {
        long id = found.id();
        Future<JsonObject> before = found.created() ? Future.succeededFuture() : affiliates.get(tx, programId, id);
        return before.compose(b -> affiliates.enroll(tx, programId, campaignId, id, enrolState).compose(isNew -> isNew
            ? affiliates.get(tx, programId, id).compose(after -> audit.record(tx, actor, "affiliate.enrolled",
                "affiliate", id, b, after).map(after))
            : Future.failedFuture(HttpError.conflict("affiliate is already enrolled in this campaign"))));
      }));
    }).onSuccess(created -> {
      onChange.run();
      Responses.json(ctx, 201, created);
    }).onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, UPDATE_FIELDS);
    Json.notNull(body, "first_name", "last_name", "state");
    Json.string(body, "first_name", 200);
    Json.string(body, "last_name", 200);
    Json.string(body, "payout_email", 320);
    Json.oneOf(body, "state", "active", "pending", "disabled");
    long programId = AuthHandler.principal(ctx).programId();
    long id = Params.pathId(ctx, "affiliate_id");
    AuditLog.Actor actor = Responses.actor(ctx);
    pool.withTransaction(tx -> affiliates.lock(tx, programId, id).compose(before -> {
      if (before == null) {
        return Future.failedFuture(HttpError.notFound("Affiliate not found."));
      }
      return affiliates.update(tx, programId, id, before.copy().mergeIn(body))
          .compose(v -> affiliates.get(tx, programId, id))
          .compose(after -> audit.record(tx, actor, "affiliate.updated", "affiliate", id, before, after).map(after));
    })).onSuccess(updated -> {
      onChange.run();
      Responses.json(ctx, 200, updated);
    }).onFailure(ctx::fail);
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value.trim();
  }
}
