package io.tracklane.api;

import io.tracklane.ledger.CommissionUpdates;
import io.tracklane.store.AuditLog;
import io.tracklane.store.CommissionRepository;
import io.tracklane.store.ConversionRepository;
import io.tracklane.store.Filter;
import io.tracklane.store.LeadRepository;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.Set;

/**
 * /api/v1/commissions (list, get, status change), /api/v1/conversions, /api/v1/leads and
 * /api/v1/rejected_events (lists).
 */
public final class LedgerReadHandler {
  /** A lead's or conversion's customer has this e-mail (any case); %s is the table's alias. */
  private static final String CUSTOMER_EMAIL = "EXISTS (SELECT 1 FROM customers c WHERE c.id = %1$s.customer_id"
      + " AND c.program_id = %1$s.program_id AND lower(c.email) = lower(?))";

  private final CommissionRepository commissions;
  private final ConversionRepository conversions;
  private final LeadRepository leads;
  private final CommissionUpdates updates;

  public LedgerReadHandler(Pool pool, AuditLog audit, Clock clock) {
    this.commissions = new CommissionRepository(pool);
    this.conversions = new ConversionRepository(pool);
    this.leads = new LeadRepository(pool);
    this.updates = new CommissionUpdates(pool, audit, clock);
  }

  public void mount(Router api) {
    api.get("/commissions").handler(this::listCommissions);
    api.get("/commissions/:commission_id").handler(this::getCommission);
    api.put("/commissions/:commission_id").handler(this::updateCommission);
    api.get("/conversions").handler(this::listConversions);
    api.get("/leads").handler(this::listLeads);
    api.get("/rejected_events").handler(this::listRejected);
  }

  private void updateCommission(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, Set.of("status"));
    String status = Json.required(body, "status", 16);
    long id = Params.pathId(ctx, "commission_id");
    AuditLog.Actor actor = Responses.actor(ctx);
    updates.changeStatus(actor, id, status).compose(v -> commissions.get(actor.programId(), id))
        .onSuccess(c -> Responses.json(ctx, 200, c))
        .onFailure(ctx::fail);
  }

  private void listLeads(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Filter filter = Filter.program("d.program_id", AuthHandler.principal(ctx).programId())
        .add("d.affiliate_id = ?", Params.optionalId(ctx, "affiliate_id"))
        .add("d.campaign_id = ?", Params.optionalId(ctx, "campaign_id"))
        .add(CUSTOMER_EMAIL.formatted("d"), ctx.queryParams().get("email"))
        .add("d.status = ?", Params.optionalOneOf(ctx, "status", "credited", "rejected"))
        .add("d.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("d.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    Responses.page(ctx, page, leads.leads(filter, page.offset(), page.limit()));
  }

  private void listRejected(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Filter filter = Filter.program("j.program_id", AuthHandler.principal(ctx).programId())
        .add("j.reason = ?", ctx.queryParams().get("reason"))
        .add("j.transaction_id = ?", ctx.queryParams().get("transaction_id"))
        .add("j.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("j.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    Responses.page(ctx, page, leads.rejected(filter, page.offset(), page.limit()));
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
        .add(CUSTOMER_EMAIL.formatted("v"), ctx.queryParams().get("customer_email"))
        .add("v.status = ?", Params.optionalOneOf(ctx, "status", "credited", "rejected"))
        .add("v.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("v.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    Responses.page(ctx, page, conversions.list(filter, page.offset(), page.limit()));
  }
}
