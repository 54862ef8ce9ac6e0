package io.tracklane.ledger;

import io.tracklane.ledger.CustomerStore.Customer;
import io.tracklane.ledger.LedgerMetrics.Tally;
import io.tracklane.ledger.LedgerStore.CommissionRow;
import io.tracklane.ledger.Outbox.Event;
import io.tracklane.stats.RollupBatch;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One batch transaction's state: lookups memoised for the batch (a rule or link read once, not
 * per sale), and the writes nothing later in the batch reads (new commissions, click marks,
 * outbox events, customer updates), collected and written in bulk before the commit. Customers are
 * locked at the start of the batch and their state is tracked here in the meantime.
 */
final class Batch {
  final Tally tally = new Tally();
  private final Map<String, Future<?>> lookups = new HashMap<>();
  private final List<CommissionRow> commissions = new ArrayList<>();
  private final List<String> commissionTransactions = new ArrayList<>();
  private final List<Instant> commissionTimes = new ArrayList<>();
  private final List<RollupBatch.Origin> commissionOrigins = new ArrayList<>();
  /** The batch's rollup changes, written before the commit. */
  final RollupBatch rollups;
  private final List<DerivedWrites.ClickMark> clickMarks = new ArrayList<>();
  private final List<Event> events = new ArrayList<>();
  private final List<CustomerStore.Credit> customerCredits = new ArrayList<>();
  private Map<String, Customer> customers = Map.of();
  /** Sales credited in this batch, as (program id, transaction id): their waiting refunds apply now. */
  final List<Map.Entry<Long, String>> creditedSales = new ArrayList<>();
  /** Postbacks rejected in this batch: the edge forgets them, so a resend after a fix is reprocessed. */
  final List<String> rejectedPostbacks = new ArrayList<>();

  Batch(RollupBatch rollups) {
    this.rollups = rollups;
  }

  void customers(Map<String, Customer> locked) {
    customers = locked;
  }

  /** The batch's current state of a customer locked at its start; null without a customer key. */
  Customer customer(long programId, String customerKey) {
    return customerKey == null ? null : customers.get(CustomerStore.key(programId, customerKey));
  }

  /** Credits the customer: its state for the rest of the batch, and the update to write. */
  void credit(long programId, String customerKey, long affiliateId, long campaignId, Instant at,
      boolean commissioned) {
    Customer c = customer(programId, customerKey);
    if (c == null || (c.bound() && !commissioned)) {
      return;
    }
    customers.put(CustomerStore.key(programId, customerKey), c.credited(affiliateId, campaignId, at, commissioned));
    customerCredits.add(CustomerStore.credit(programId, c, affiliateId, campaignId, at, commissioned));
  }

  @SuppressWarnings("unchecked")
  <T> Future<T> lookup(String key, Supplier<Future<T>> load) {
    return (Future<T>) lookups.computeIfAbsent(key, k -> load.get());
  }

  /** A commission of a conversion that is new in this batch, so the commission is new too. */
  void commission(CommissionRow row, String transactionId, Instant time, RollupBatch.Origin origin) {
    commissions.add(row);
    commissionOrigins.add(origin);
    commissionTransactions.add(transactionId);
    commissionTimes.add(time);
  }

  void rejectedPostback(String eventId) {
    rejectedPostbacks.add(eventId);
  }

  void clickMark(DerivedWrites.ClickMark mark) {
    clickMarks.add(mark);
  }

  void event(Event event) {
    events.add(event);
  }

  /** Writes the collected commissions, then their events with the others, then the click marks. */
  Future<Void> flush(SqlConnection tx, LedgerStore store, Outbox outbox, CustomerStore customerStore) {
    return DerivedWrites.insertCommissions(tx, commissions).compose(ids -> {
      for (int i = 0; i < ids.size(); i++) {
        if (ids.get(i) != null) {
          tally.commissions++;
          CommissionRow c = commissions.get(i);
          rollups.commission(commissionOrigins.get(i), ids.get(i), c.amount(), c.status().wire());
          events.add(CommissionEvents.created(ids.get(i), commissions.get(i), commissionTransactions.get(i),
              commissionTimes.get(i)));
        }
      }
      commissions.clear();
      commissionTransactions.clear();
      commissionTimes.clear();
      commissionOrigins.clear();
      List<Event> toWrite = new ArrayList<>(events);
      events.clear();
      List<DerivedWrites.ClickMark> marks = new ArrayList<>(clickMarks);
      clickMarks.clear();
      List<CustomerStore.Credit> credits = new ArrayList<>(customerCredits);
      customerCredits.clear();
      return Future.join(outbox.emitAll(tx, toWrite), DerivedWrites.markClicks(tx, marks),
          customerStore.creditAll(tx, credits), rollups.resolve(tx)).mapEmpty();
    });
  }
}
