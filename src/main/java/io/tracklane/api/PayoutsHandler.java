package io.tracklane.api;

import io.tracklane.ledger.Payouts;
import io.tracklane.store.AuditLog;
import io.tracklane.store.Filter;
import io.tracklane.store.PayoutRepository;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.List;

/** /api/v1/payouts: list, get, mark_as_paid, and an on-demand payout run. */
public final class PayoutsHandler {
  private final PayoutRepository payouts;
  private final Payouts ledger;
  private final Relations relations;

  public PayoutsHandler(Pool pool, Payouts ledger) {
    this.payouts = new PayoutRepository(pool);
    this.ledger = ledger;
    this.relations = new Relations(pool);
  }

  public void register(Operations ops) {
    ops.on("listPayouts", this::list);
    ops.on("runPayouts", this::run);
    ops.on("getPayout", this::get);
    ops.on("markPayoutPaid", this::markPaid);
  }

  private void list(RoutingContext ctx) {
    relations.payouts.answerPage(ctx, filter(ctx, AuthHandler.principal(ctx)), payouts::list);
  }

  /** The payouts a key may list with the query's filters; the affiliate API lists through it too. */
  static Filter filter(RoutingContext ctx, Principal principal) {
    return principal.filter("p")
        .add("p.affiliate_id = ?", Params.optionalId(ctx, "affiliate_id"))
        // A payout gathers an affiliate's commissions across campaigns: it matches when it holds one of the campaign.
        .add("EXISTS (SELECT 1 FROM commissions m WHERE m.payout_id = p.id AND m.program_id = p.program_id"
            + " AND m.campaign_id = ?)", Params.optionalId(ctx, "campaign_id"))
        .add("p.status = ?", Params.optionalOneOf(ctx, "status", "pending", "paid"))
        .add("p.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("p.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
  }

  private void get(RoutingContext ctx) {
    List<Expansion.Relation> expand = relations.payouts.requested(ctx);
    long programId = AuthHandler.principal(ctx).programId();
    Responses.found(ctx, relations.payouts.one(programId, expand, payouts.get(programId,
        Params.pathId(ctx, "payout_id"))), "Payout");
  }

  private void run(RoutingContext ctx) {
    AuditLog.Actor actor = Responses.actor(ctx);
    ledger.run(actor.programId(), actor)
        .onSuccess(ids -> Responses.json(ctx, 200, new JsonObject()
            .put("payout_ids", new JsonArray(ids.stream().map(String::valueOf).toList()))))
        .onFailure(ctx::fail);
  }

  private void markPaid(RoutingContext ctx) {
    AuditLog.Actor actor = Responses.actor(ctx);
    long id = Params.pathId(ctx, "payout_id");
    ledger.markPaid(actor, id)
        .compose(v -> payouts.get(actor.programId(), id))
        .onSuccess(paid -> Responses.json(ctx, 200, paid))
        .onFailure(ctx::fail);
  }
}
