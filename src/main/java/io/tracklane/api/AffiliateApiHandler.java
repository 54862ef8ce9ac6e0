package io.tracklane.api;

import io.tracklane.api.Expansion.Relation;
import io.tracklane.domain.Emails;
import io.tracklane.http.HttpError;
import io.tracklane.stats.Dimension;
import io.tracklane.stats.Measures;
import io.tracklane.store.AffiliateRepository;
import io.tracklane.store.CampaignRepository;
import io.tracklane.store.CommissionRepository;
import io.tracklane.store.CouponRepository;
import io.tracklane.store.Filter;
import io.tracklane.store.LinkRepository;
import io.tracklane.store.Paged;
import io.tracklane.store.PayoutRepository;
import io.tracklane.store.ReferralRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * /api/v1/affiliate/...: an affiliate key's read-only view of its own data. Every list goes through
 * the owner endpoint's filter and repository with the affiliate clause of {@link Principal#filter};
 * owner-only fields are removed and customer e-mails masked. A campaign_id the affiliate is not
 * enrolled in answers 404. Links and campaigns carry the affiliate's all-time stats
 * from {@link AffiliateStats}.
 */
public final class AffiliateApiHandler {
  /** Campaign settings that are the owner's business, not the terms an affiliate works under. */
  private static final List<String> OWNER_CAMPAIGN_FIELDS = List.of("allowed_domains", "auto_approve_affiliates",
      "accept_client_conversions", "hold_client_conversions", "credit_bot_clicks", "client_origins");
  /** Who the visitor was: personal data of the advertiser's visitors, not the affiliate's. */
  private static final List<String> OWNER_REFERRAL_FIELDS = List.of("ip", "user_agent");

  private final AffiliateRepository affiliates;
  private final CampaignRepository campaigns;
  private final CommissionRepository commissions;
  private final ReferralRepository referrals;
  private final PayoutRepository payouts;
  private final LinkRepository links;
  private final CouponRepository coupons;
  private final AffiliateStats stats;

  public AffiliateApiHandler(Pool pool, AffiliateRepository affiliates, CampaignRepository campaigns,
      LinkRepository links, AffiliateStats stats) {
    this.stats = stats;
    this.affiliates = affiliates;
    this.campaigns = campaigns;
    this.links = links;
    this.commissions = new CommissionRepository(pool);
    this.referrals = new ReferralRepository(pool);
    this.payouts = new PayoutRepository(pool);
    this.coupons = new CouponRepository(pool);
  }

  public void register(Operations ops) {
    ops.on("listAffiliateCampaigns", this::campaigns);
    ops.on("listAffiliateCommissions", ctx -> list(ctx, LedgerReadHandler::commissionFilter,
        commissions::list, UnaryOperator.identity()));
    ops.on("listAffiliateReferrals", ctx -> list(ctx, AffiliateApiHandler::referralFilter, referrals::list,
        AffiliateApiHandler::referral));
    ops.on("listAffiliatePayouts", ctx -> list(ctx, PayoutsHandler::filter, payouts::list,
        UnaryOperator.identity()));
    ops.on("listAffiliateLinks", this::links);
    ops.on("listAffiliateCoupons", ctx -> list(ctx, CouponsHandler::filter, coupons::list,
        UnaryOperator.identity()));
  }

  /** An owner endpoint's filter; through {@link Principal#filter} it carries the affiliate clause. */
  private interface Filters {
    Filter of(RoutingContext ctx, Principal principal);
  }

  /** An owner list, narrowed to the key's affiliate, each row shown through {@code view}. */
  private void list(RoutingContext ctx, Filters filters, Responses.Lister lister, UnaryOperator<JsonObject> view) {
    Responses.page(ctx, PageRequest.from(ctx), listed(ctx, filters, lister).map(p -> viewed(p, view)));
  }

  private Future<Paged> listed(RoutingContext ctx, Filters filters, Responses.Lister lister) {
    PageRequest page = PageRequest.from(ctx);
    Principal principal = AuthHandler.principal(ctx);
    Filter filter = filters.of(ctx, principal);
    return enrolled(ctx, principal).compose(v -> lister.list(filter, page.offset(), page.limit()));
  }

  /** The affiliate's links, each with its all-time stats. */
  private void links(RoutingContext ctx) {
    Principal principal = AuthHandler.principal(ctx);
    Responses.page(ctx, PageRequest.from(ctx), listed(ctx, LinksHandler::filter, links::list).compose(page ->
        withStats(page, stats.allTime(principal.programId(), principal.affiliateId(), Dimension.LINK))));
  }

  /** Puts each row's all-time figures in it as {@code stats}: zeros when it has none yet. */
  private static Future<Paged> withStats(Paged page, Future<JsonObject> byId) {
    return byId.map(all -> {
      page.data().forEach(o -> {
        JsonObject row = (JsonObject) o;
        JsonObject own = all.getJsonObject(row.getString("id"));
        row.put("stats", own != null ? own.copy() : AffiliateStats.json(Measures.ZERO));
      });
      return page;
    });
  }

  /** The campaigns the affiliate is enrolled in, each with its enrolment state and the affiliate's links. */
  private void campaigns(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Principal principal = AuthHandler.principal(ctx);
    Filter filter = Filter.scoped("program_id", principal.programId(), """
            EXISTS (SELECT 1 FROM enrollments e
                     WHERE e.program_id = campaigns.program_id AND e.campaign_id = campaigns.id AND e.affiliate_id = ?)""",
            principal.affiliateId())
        .add("id = ?", Params.optionalId(ctx, "campaign_id"))
        .add("created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    Relation ownLinks = Relation.many("links", "campaign_id", (program, ids) -> links.all(principal.filter("l")
        .anyOf("l.campaign_id", ids)));
    Future<JsonObject> own = affiliates.get(principal.programId(), principal.affiliateId());
    Future<Paged> listed = enrolled(ctx, principal).compose(v -> new Expansion(ownLinks).page(principal.programId(),
        List.of(ownLinks), campaigns.list(filter, page.offset(), page.limit())));
    Responses.page(ctx, page, Future.all(own, listed).map(both -> viewed(listed.result(),
        campaign -> campaignView(campaign, own.result()))).compose(shown -> withStats(shown,
            stats.allTime(principal.programId(), principal.affiliateId(), Dimension.CAMPAIGN))));
  }

  private static JsonObject campaignView(JsonObject campaign, JsonObject affiliate) {
    OWNER_CAMPAIGN_FIELDS.forEach(campaign::remove);
    JsonArray enrolments = affiliate == null ? new JsonArray() : affiliate.getJsonArray("campaigns");
    for (Object e : enrolments) {
      if (((JsonObject) e).getString("campaign_id").equals(campaign.getString("id"))) {
        campaign.put("enrollment_state", ((JsonObject) e).getString("state"));
      }
    }
    return campaign;
  }

  /**
   * The owner's referral filter without its customer e-mail: matching on the full address would tell
   * the affiliate what the mask hides.
   */
  private static Filter referralFilter(RoutingContext ctx, Principal principal) {
    String email = ctx.queryParams().get("email");
    if (email != null && !email.isEmpty()) {
      throw HttpError.badRequest("email is not a filter of the partner API: customer e-mails are masked");
    }
    return ReferralsHandler.filter(ctx, principal);
  }

  private static JsonObject referral(JsonObject visit) {
    OWNER_REFERRAL_FIELDS.forEach(visit::remove);
    return visit.put("customer_email", Emails.mask(visit.getString("customer_email")));
  }

  /** Fails with 404 when campaign_id names a campaign the affiliate is not enrolled in (or none). */
  private Future<Void> enrolled(RoutingContext ctx, Principal principal) {
    Long campaignId = Params.optionalId(ctx, "campaign_id");
    if (campaignId == null) {
      return Future.succeededFuture();
    }
    return affiliates.isEnrolled(principal.programId(), campaignId, principal.affiliateId()).compose(yes -> yes
        ? Future.succeededFuture() : Future.failedFuture(HttpError.notFound("Campaign not found.")));
  }

  private static Paged viewed(Paged page, Function<JsonObject, JsonObject> view) {
    JsonArray shown = new JsonArray();
    page.data().forEach(row -> shown.add(view.apply((JsonObject) row)));
    return new Paged(shown, page.totalCount());
  }
}
