package io.tracklane.stats;

import io.vertx.core.json.JsonObject;

/**
 * The money of one currency in a stats row, in minor units: revenue (credited sales minus credited
 * refunds), what was refunded, and commissions by their current status.
 */
public record Amounts(String currency, long revenue, long refunded, long commissionPending, long commissionDue,
    long commissionPaid, long commissionVoided) {

  /** Commissions not voided (pending, due and paid): what the affiliates earn. */
  public long commissionEarned() {
    return commissionPending + commissionDue + commissionPaid;
  }

  Amounts plus(Amounts o) {
    return new Amounts(currency, revenue + o.revenue, refunded + o.refunded, commissionPending + o.commissionPending,
        commissionDue + o.commissionDue, commissionPaid + o.commissionPaid, commissionVoided + o.commissionVoided);
  }

  public JsonObject toJson() {
    return new JsonObject().put("currency", currency).put("revenue_cents", revenue).put("refunded_cents", refunded)
        .put("commissions", new JsonObject().put("pending", commissionPending).put("due", commissionDue)
            .put("paid", commissionPaid).put("voided", commissionVoided));
  }
}
