package io.tracklane.api;

import io.tracklane.store.Filter;
import io.tracklane.store.ReferralRepository;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

/** /api/v1/referrals: the referral visits (clicks) of the program, newest first. */
public final class ReferralsHandler {
  private final ReferralRepository referrals;

  public ReferralsHandler(Pool pool) {
    this.referrals = new ReferralRepository(pool);
  }

  public void register(Operations ops) {
    ops.on("listReferrals", this::list);
  }

  private void list(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Responses.page(ctx, page, referrals.list(filter(ctx, AuthHandler.principal(ctx)), page.offset(), page.limit()));
  }

  /** The referrals a key may list with the query's filters; the affiliate API lists through it too. */
  static Filter filter(RoutingContext ctx, Principal principal) {
    String email = ctx.queryParams().get("email");
    return principal.filter("r")
        .add("r.affiliate_id = ?", Params.optionalId(ctx, "affiliate_id"))
        .add("r.campaign_id = ?", Params.optionalId(ctx, "campaign_id"))
        .add("r.conversion_state = ?",
            Params.optionalOneOf(ctx, "conversion_state", "not_converted", "lead", "converted"))
        .add(ReferralRepository.CUSTOMER_EMAIL, email == null || email.isEmpty() ? null : email, email)
        .add("r.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("r.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
  }
}
