package io.tracklane.api;

import io.tracklane.http.HttpError;
import io.tracklane.store.AffiliateRepository;
import io.tracklane.store.AuditLog;
import io.tracklane.store.CampaignRepository;
import io.tracklane.store.CouponRepository;
import io.tracklane.store.Filter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.Set;

/**
 * /api/v1/coupons: list, get, create, update. A postback's coupon credits the affiliate owning it
 * while the coupon is active; {"state": "disabled"} deactivates it. The code cannot change.
 */
public final class CouponsHandler {
  private static final Set<String> CREATE_FIELDS = Set.of("campaign_id", "affiliate_id", "code", "description",
      "state");
  private static final Set<String> UPDATE_FIELDS = Set.of("campaign_id", "affiliate_id", "code", "description",
      "state");

  private final Pool pool;
  private final CouponRepository coupons;
  private final CampaignRepository campaigns;
  private final AffiliateRepository affiliates;
  private final AuditLog audit;
  private final Runnable onChange;

  public CouponsHandler(Pool pool, CampaignRepository campaigns, AffiliateRepository affiliates, AuditLog audit,
      Runnable onChange) {
    this.pool = pool;
    this.coupons = new CouponRepository(pool);
    this.campaigns = campaigns;
    this.affiliates = affiliates;
    this.audit = audit;
    this.onChange = onChange;
  }

  public void register(Operations ops) {
    ops.on("listCoupons", this::list);
    ops.on("getCoupon", this::get);
    ops.on("createCoupon", this::create);
    ops.on("updateCoupon", this::update);
  }

  private void list(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Responses.page(ctx, page, coupons.list(filter(ctx, AuthHandler.principal(ctx)), page.offset(), page.limit()));
  }

  /** The coupons a key may list with the query's filters; the affiliate API lists through it too. */
  static Filter filter(RoutingContext ctx, Principal principal) {
    return principal.filter("k")
        .add("k.affiliate_id = ?", Params.optionalId(ctx, "affiliate_id"))
        .add("k.campaign_id = ?", Params.optionalId(ctx, "campaign_id"))
        .add("k.state = ?", Params.optionalOneOf(ctx, "state", "active", "disabled"))
        .add("k.code = ?", Params.optionalText(ctx, "code", 64))
        .add("k.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("k.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
  }

  private void get(RoutingContext ctx) {
    Responses.found(ctx, coupons.get(AuthHandler.principal(ctx).programId(), Params.pathId(ctx, "coupon_id")),
        "Coupon");
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, CREATE_FIELDS);
    Long campaignId = Json.id(body, "campaign_id");
    Long affiliateId = Json.id(body, "affiliate_id");
    String code = Json.required(body, "code", 64);
    String description = Json.string(body, "description", 500);
    String state = Json.oneOf(body, "state", "active", "disabled");
    if (campaignId == null || affiliateId == null) {
      throw HttpError.badRequest("campaign_id and affiliate_id are required");
    }
    if (!code.matches("[A-Za-z0-9_.-]+")) {
      throw HttpError.badRequest("code may contain letters, digits, '_', '.' and '-' only");
    }
    AuditLog.Actor actor = Responses.actor(ctx);
    long programId = actor.programId();
    checkOwners(programId, campaignId, affiliateId).compose(ok -> pool.withTransaction(tx -> coupons.create(tx,
        programId, campaignId, affiliateId, code, description == null ? "" : description,
        state == null ? "active" : state).compose(id -> id == null
        ? Future.failedFuture(HttpError.conflict("The program has a coupon with this code already."))
        : coupons.get(tx, programId, id).compose(created -> audit.record(tx, actor, "coupon.created", "coupon", id,
            null, created).map(created)))))
        .onSuccess(created -> Responses.json(ctx, 201, created))
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, UPDATE_FIELDS);
    Json.notNull(body, "campaign_id", "affiliate_id", "description", "state");
    Long campaignId = Json.id(body, "campaign_id");
    Long affiliateId = Json.id(body, "affiliate_id");
    Json.string(body, "description", 500);
    Json.oneOf(body, "state", "active", "disabled");
    long id = Params.pathId(ctx, "coupon_id");
    AuditLog.Actor actor = Responses.actor(ctx);
    long programId = actor.programId();
    pool.withTransaction(tx -> coupons.lock(tx, programId, id).compose(before -> {
      if (before == null) {
        return Future.failedFuture(HttpError.notFound("Coupon not found."));
      }
      if (body.containsKey("code") && !before.getString("code").equals(body.getValue("code"))) {
        // Sales already credited name the code, and the advertiser's checkout sends it: a new code is a new coupon.
        return Future.failedFuture(HttpError.badRequest(
            "code cannot be changed: create a coupon with the new code and disable this one"));
      }
      JsonObject merged = before.copy().mergeIn(body.copy().put("campaign_id", str(campaignId, before, "campaign_id"))
          .put("affiliate_id", str(affiliateId, before, "affiliate_id")));
      return checkOwners(programId, Long.parseLong(merged.getString("campaign_id")),
          Long.parseLong(merged.getString("affiliate_id")))
          .compose(ok -> coupons.update(tx, programId, id, merged))
          .compose(v -> coupons.get(tx, programId, id))
          .compose(after -> audit.record(tx, actor, "coupon.updated", "coupon", id, before, after).map(after));
    })).onSuccess(updated -> {
      // Nothing caches coupons outside one ledger batch today; the notice keeps any future cache honest.
      onChange.run();
      Responses.json(ctx, 200, updated);
    }).onFailure(ctx::fail);
  }

  /** 400 unless the campaign and the affiliate both belong to the program. */
  private Future<Void> checkOwners(long programId, long campaignId, long affiliateId) {
    return Future.all(campaigns.get(programId, campaignId), affiliates.get(programId, affiliateId)).compose(found ->
        found.resultAt(0) == null || found.resultAt(1) == null
            ? Future.failedFuture(HttpError.badRequest(
                "campaign_id and affiliate_id must name a campaign and an affiliate of this program"))
            : Future.succeededFuture());
  }

  private static String str(Long id, JsonObject before, String field) {
    return id == null ? before.getString(field) : id.toString();
  }
}
