package io.tracklane.ledger;

import io.tracklane.firehose.EventTypes;
import io.tracklane.ledger.LedgerStore.CommissionRow;
import io.tracklane.ledger.Outbox.Event;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;

/** The firehose events of commission changes, with the natural keys that make their ids stable. */
final class CommissionEvents {
  private CommissionEvents() {
  }

  static Event created(long commissionId, CommissionRow c, String transactionId, Instant time) {
    JsonObject data = new JsonObject().put("commission_id", Long.toString(commissionId)).put("kind", c.kind())
        .put("conversion_id", str(c.conversionId())).put("lead_id", str(c.leadId()))
        .put("transaction_id", transactionId).put("affiliate_id", Long.toString(c.affiliateId()))
        .put("campaign_id", Long.toString(c.campaignId())).put("amount_cents", c.amount().minor())
        .put("currency", c.amount().currency()).put("status", c.status().wire()).put("due_at", c.dueAt().toString())
        .put("fx_rate", c.fxRate() == null ? null : c.fxRate().toPlainString())
        .put("reverses_id", str(c.reversesId()));
    return new Event(c.programId(), time, EventTypes.COMMISSION_CREATED, c.sourceKey(), data);
  }

  /**
   * A status change of a commission row that was just updated; the row must carry id, program_id,
   * affiliate_id, campaign_id, amount_minor, currency, payout_id and the new version.
   */
  static Event statusChanged(Row r, String from, String to, String cause, Instant time) {
    long id = r.getLong("id");
    int version = r.getInteger("version");
    JsonObject data = new JsonObject().put("commission_id", Long.toString(id)).put("from", from).put("to", to)
        .put("cause", cause).put("version", version).put("affiliate_id", Long.toString(r.getLong("affiliate_id")))
        .put("campaign_id", Long.toString(r.getLong("campaign_id"))).put("amount_cents", r.getLong("amount_minor"))
        .put("currency", r.getString("currency")).put("payout_id", str(r.getLong("payout_id")));
    return new Event(r.getLong("program_id"), time, EventTypes.COMMISSION_STATUS_CHANGED,
        "commission:" + id + ":v" + version, data);
  }

  private static String str(Long id) {
    return id == null ? null : id.toString();
  }
}
