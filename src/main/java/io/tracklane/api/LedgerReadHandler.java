package io.tracklane.api;

import io.tracklane.ledger.CommissionUpdates;
import io.tracklane.store.AuditLog;
import io.tracklane.store.CommissionRepository;
import io.tracklane.store.ConversionRepository;
import io.tracklane.store.Filter;
import io.tracklane.store.LeadRepository;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.List;
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
  private final Relations relations;

  public LedgerReadHandler(Pool pool, AuditLog audit, Clock clock) {
    this.commissions = new CommissionRepository(pool);
    this.conversions = new ConversionRepository(pool);
    this.leads = new LeadRepository(pool);
    this.updates = new CommissionUpdates(pool, audit, clock);
    this.relations = new Relations(pool);
  }

  public void register(Operations ops) {
    ops.on("listCommissions", this::listCommissions);
    ops.on("getCommission", this::getCommission);
    ops.on("updateCommissionStatus", this::updateCommission);
    ops.on("listConversions", this::listConversions);
    ops.on("listLeads", this::listLeads);
    ops.on("listRejectedEvents", this::listRejected);
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
    Filter filter = AuthHandler.principal(ctx).filter("d")
        .add("d.affiliate_id = ?", Params.optionalId(ctx, "affiliate_id"))
        .add("d.campaign_id = ?", Params.optionalId(ctx, "campaign_id"))
        .add(CUSTOMER_EMAIL.formatted("d"), ctx.queryParams().get("email"))
        .add("d.status = ?", Params.optionalOneOf(ctx, "status", "credited", "rejected"))
        .add("d.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("d.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    relations.leads.answerPage(ctx, filter, leads::leads);
  }

  private void listRejected(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Filter filter = Filter.program("j.program_id", AuthHandler.principal(ctx).programId())
        .add("j.reason = ?", Params.optionalText(ctx, "reason", 64))
        .add("j.transaction_id = ?", Params.optionalText(ctx, "transaction_id", 255))
        .add("j.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("j.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    Responses.page(ctx, page, leads.rejected(filter, page.offset(), page.limit()));
  }

  private void listCommissions(RoutingContext ctx) {
    relations.commissions.answerPage(ctx, commissionFilter(ctx, AuthHandler.principal(ctx)), commissions::list);
  }

  /** The commissions a key may list with the query's filters; the affiliate API lists through it too. */
  static Filter commissionFilter(RoutingContext ctx, Principal principal) {
    return principal.filter("m")
        .add("m.affiliate_id = ?", Params.optionalId(ctx, "affiliate_id"))
        .add("m.campaign_id = ?", Params.optionalId(ctx, "campaign_id"))
        .add("m.status = ?", Params.optionalOneOf(ctx, "status", "pending", "due", "paid", "voided"))
        .add("m.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("m.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
  }

  private void getCommission(RoutingContext ctx) {
    List<Expansion.Relation> expand = relations.commissions.requested(ctx);
    long programId = AuthHandler.principal(ctx).programId();
    Responses.found(ctx, relations.commissions.one(programId, expand,
        commissions.get(programId, Params.pathId(ctx, "commission_id"))), "Commission");
  }

  private void listConversions(RoutingContext ctx) {
    Filter filter = AuthHandler.principal(ctx).filter("v")
        .add("v.affiliate_id = ?", Params.optionalId(ctx, "affiliate_id"))
        .add("v.campaign_id = ?", Params.optionalId(ctx, "campaign_id"))
        .add(CUSTOMER_EMAIL.formatted("v"), ctx.queryParams().get("customer_email"))
        .add("v.status = ?", Params.optionalOneOf(ctx, "status", "credited", "rejected"))
        .add("v.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("v.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    relations.conversions.answerPage(ctx, filter, conversions::list);
  }
}
