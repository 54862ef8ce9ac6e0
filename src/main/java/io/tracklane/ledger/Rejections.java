package io.tracklane.ledger;

import io.tracklane.domain.InvalidInput;
import io.tracklane.domain.Money;
import io.tracklane.domain.PostedAmount;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.ledger.CustomerStore.Customer;
import io.tracklane.ledger.Outbox.Event;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;

/** Facts the ledger does not credit: recorded rejected once, with the reason, and announced. */
final class Rejections {
  private final LedgerStore store;

  Rejections(LedgerStore store) {
    this.store = store;
  }

  /**
   * Records a sale or refund as a rejected conversion (once) and the reason as a rejected fact. Its
   * amount is kept as reported, read in the program's currency when the postback named none (0 when
   * it cannot be read).
   */
  Future<Void> reject(SqlConnection tx, CloudEvent event, String reason, Customer customer, Batch batch) {
    JsonObject d = event.data();
    PostedAmount amount = Sales.posted(d);
    Future<String> currency = amount.currency() != null ? Future.succeededFuture(amount.currency())
        : batch.lookup("program-currency:" + event.programId(), () -> store.programCurrency(tx, event.programId()));
    return currency.compose(cur -> {
      Money stored;
      try {
        stored = amount.given() ? amount.in(cur) : Money.of(0, cur);
      } catch (InvalidInput e) {
        stored = Money.of(0, cur);
      }
      String refundKey = "refund".equals(d.getString("event")) ? RefundPosting.identity(d) : "";
      return store.insertConversion(tx, Sales.conversion(event, null, customer, "rejected", reason, stored, refundKey));
    }).compose(id -> id == null ? Future.succeededFuture() : record(tx, event, reason, batch));
  }

  Future<Void> record(SqlConnection tx, CloudEvent event, String reason, Batch batch) {
    JsonObject d = event.data();
    if (EventTypes.POSTBACK_RECEIVED.equals(event.type())) {
      batch.rejectedPostback(event.id());
    }
    return store.insertRejected(tx, event, reason).compose(isNew -> {
          if (!isNew) {
            return Future.succeededFuture();
          }
          batch.tally.rejected++;
          batch.event(new Event(event.programId(), event.time(), EventTypes.CONVERSION_REJECTED,
              "rejected:" + event.id(), d.copy().put("reason", reason)));
          return Future.succeededFuture();
        });
  }
}
