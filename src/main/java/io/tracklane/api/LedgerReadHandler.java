package io.tracklane.api;

import io.tracklane.store.CommissionRepository;
import io.tracklane.store.ConversionRepository;
import io.tracklane.store.Filter;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** /api/v1/commissions (list, get) and /api/v1/conversions (list). */
public final class LedgerReadHandler {
  private final CommissionRepository commissions;
  private final ConversionRepository conversions;

  public LedgerReadHandler(CommissionRepository commissions, ConversionRepository conversions) {
    this.commissions = commissions;
    this.conversions = conversions;
  }

  public void mount(Router api) {
    api.get("/commissions").handler(this::listCommissions);
    api.get("/commissions/:commission_id").handler(this::getCommission);
    api.get("/conversions").handler(this::listConversions);
  }

  private void listCommissions(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Filter filter = Filter.program("m.program_id", AuthHandler.principal(ctx).programId())
        .add("m.affiliate_id = ?", Params.optionalId(ctx, "affiliate_id"))
        .add("m.campaign_id = ?", Params.optionalId(ctx, "campaign_id"))
        .add("m.status = ?", Params.optionalOneOf(ctx, "status", "pending", "due", "paid", "voided"))
        .add("m.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("m.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    Responses.page(ctx, page, commissions.list(filter, page.offset(), page.limit()));
  }

  private void getCommission(RoutingContext ctx) {
    Responses.found(ctx, commissions.get(AuthHandler.principal(ctx).programId(),
        Params.pathId(ctx, "commission_id")), "Commission");
  }

  private void listConversions(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Filter filter = Filter.program("v.program_id", AuthHandler.principal(ctx).programId())
        .add("v.affiliate_id = ?", Params.optionalId(ctx, "affiliate_id"))
        .add("v.campaign_id = ?", Params.optionalId(ctx, "campaign_id"))
        .add("v.status = ?", Params.optionalOneOf(ctx, "status", "credited", "rejected"))
        .add("v.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("v.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    Responses.page(ctx, page, conversions.list(filter, page.offset(), page.limit()));
  }
}
