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

/** /api/v1/coupons: list and create; a postback's coupon credits the affiliate owning it. */
public final class CouponsHandler {
  private static final Set<String> FIELDS = Set.of("campaign_id", "affiliate_id", "code", "state");

  private final Pool pool;
  private final CouponRepository coupons;
  private final CampaignRepository campaigns;
  private final AffiliateRepository affiliates;
  private final AuditLog audit;

  public CouponsHandler(Pool pool, CampaignRepository campaigns, AffiliateRepository affiliates, AuditLog audit) {
    this.pool = pool;
    this.coupons = new CouponRepository(pool);
    this.campaigns = campaigns;
    this.affiliates = affiliates;
    this.audit = audit;
  }

  public void register(Operations ops) {
    ops.on("listCoupons", this::list);
    ops.on("createCoupon", this::create);
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
        .add("k.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("k.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, FIELDS);
    Long campaignId = Json.id(body, "campaign_id");
    Long affiliateId = Json.id(body, "affiliate_id");
    String code = Json.required(body, "code", 64);
    String state = Json.oneOf(body, "state", "active", "disabled");
    if (campaignId == null || affiliateId == null) {
      throw HttpError.badRequest("campaign_id and affiliate_id are required");
    }
    if (!code.matches("[A-Za-z0-9_.-]+")) {
      throw HttpError.badRequest("code may contain letters, digits, '_', '.' and '-' only");
    }
    AuditLog.Actor actor = Responses.actor(ctx);
    long programId = actor.programId();
    Future.all(campaigns.get(programId, campaignId), affiliates.get(programId, affiliateId)).compose(found -> {
      if (found.resultAt(0) == null || found.resultAt(1) == null) {
        return Future.failedFuture(HttpError.badRequest("campaign_id and affiliate_id must name a campaign and an affiliate of this program"));
      }
      return pool.withTransaction(tx -> coupons.create(tx, programId, campaignId, affiliateId, code,
          state == null ? "active" : state).compose(id -> id == null
          ? Future.failedFuture(HttpError.conflict("The program has a coupon with this code already."))
          : audit.record(tx, actor, "coupon.created", "coupon", id, null, body).map(id)));
    }).compose(id -> coupons.get(programId, id))
        .onSuccess(created -> Responses.json(ctx, 201, created))
        .onFailure(ctx::fail);
  }
}
