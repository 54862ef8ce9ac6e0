package io.tracklane.ledger;

import io.tracklane.domain.Attribution;
import io.tracklane.domain.CommissionStatus;
import io.tracklane.domain.InvalidInput;
import io.tracklane.domain.Money;
import io.tracklane.domain.PostedAmount;
import io.tracklane.domain.Refunds;
import io.tracklane.domain.Refunds.Cancel;
import io.tracklane.domain.Refunds.Held;
import io.tracklane.domain.Refunds.Movement;
import io.tracklane.domain.Refunds.Reverse;
import io.tracklane.domain.Trust;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.ledger.LedgerMetrics.Tally;
import io.tracklane.ledger.LedgerStore.CommissionRow;
import io.tracklane.ledger.LedgerStore.ConversionRow;
import io.tracklane.ledger.Outbox.Event;
import io.tracklane.stats.RollupBatch;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A refund postback: finds the refunded sale (locked, so refunds of one sale take turns), checks the
 * refund against what remains, records it once under its identity, and applies the movements
 * {@link Refunds#plan} decides. Commissions are locked first, so a payout run or a status change
 * running at the same time sees either the state before or after, never half.
 */
final class RefundPosting {
  private static final String SALE = """
      SELECT s.id, s.status, s.amount_minor, s.currency, s.affiliate_id, s.campaign_id, s.customer_id, s.link_id,
             s.click_id,
             (SELECT coalesce(sum(r.amount_minor), 0) FROM conversions r
               WHERE r.program_id = s.program_id AND r.transaction_id = s.transaction_id AND r.kind = 'refund'
                 AND r.status = 'credited') AS refunded
        FROM conversions s WHERE s.program_id = $1 AND s.transaction_id = $2 AND s.kind = 'sale' FOR UPDATE OF s""";
  private static final String SALE_COMMISSIONS = """
      SELECT id, program_id, affiliate_id, campaign_id, amount_minor, currency, status, payout_id, due_at, version, held
        FROM commissions WHERE program_id = $1 AND conversion_id = $2 AND kind = 'sale' ORDER BY id FOR UPDATE""";
  private static final String VOID = """
      UPDATE commissions SET status = 'voided', version = version + 1, updated_at = $3
       WHERE program_id = $1 AND id = $2 AND status IN ('pending', 'due') AND payout_id IS NULL
      RETURNING id, program_id, affiliate_id, campaign_id, amount_minor, currency, payout_id, version, status""";

  private static final String REFUND_EXISTS = """
      SELECT 1 FROM conversions
       WHERE program_id = $1 AND transaction_id = $2 AND kind = 'refund' AND refund_key = $3 AND status = 'credited'""";
  /** Refunds rejected because their sale was unknown or not credited, in the order they happened. */
  private static final String WAITING_REFUNDS = """
      SELECT j.event_id, j.event_type, j.payload, coalesce(j.occurred_at, v.occurred_at) AS occurred_at
        FROM conversions v JOIN rejected_events j ON j.program_id = v.program_id AND j.event_id = v.event_id
       WHERE v.program_id = $1 AND v.transaction_id = $2 AND v.kind = 'refund' AND v.status = 'rejected'
         AND v.reject_reason IN ('unknown_sale', 'sale_not_credited')
       ORDER BY v.occurred_at, v.id""";

  private final LedgerStore store;
  private final Outbox outbox;
  private final Reversals reversals;

  RefundPosting(LedgerStore store, Outbox outbox) {
    this.store = store;
    this.outbox = outbox;
    this.reversals = new Reversals(outbox);
  }

  /** The refund fact's identity among its sale's refunds ({@link Refunds#identity}). */
  static String identity(JsonObject d) {
    return Refunds.identity(d.getString("refund_id"), Sales.posted(d).major());
  }

  /** The refunds of a sale that arrived before it (or before it was credited): they apply once it is. */
  Future<List<CloudEvent>> waiting(SqlConnection tx, long programId, String transactionId) {
    return tx.preparedQuery(WAITING_REFUNDS).execute(Tuple.of(programId, transactionId)).map(rows -> {
      List<CloudEvent> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new CloudEvent(r.getString("event_id"), r.getString("event_type"), programId,
            r.getOffsetDateTime("occurred_at").toInstant(), (JsonObject) r.getValue("payload")));
      }
      return out;
    });
  }

  /** Whether this refund (by its identity) was applied already: a retried refund applies once. */
  private static Future<Boolean> refundExists(SqlConnection tx, long programId, String transactionId, String refundKey) {
    return tx.preparedQuery(REFUND_EXISTS).execute(Tuple.of(programId, transactionId, refundKey))
        .map(rows -> rows.size() > 0);
  }

  /** Applies the refund; the Future holds the reason when it cannot be credited, else null. */
  Future<String> apply(SqlConnection tx, CloudEvent event, Tally tally, RollupBatch rollups) {
    JsonObject d = event.data();
    return tx.preparedQuery(SALE).execute(Tuple.of(event.programId(), d.getString("transaction_id"))).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(Attribution.UNKNOWN_SALE);
      }
      Row sale = rows.iterator().next();
      if (!"credited".equals(sale.getString("status"))) {
        return Future.succeededFuture(Attribution.SALE_NOT_CREDITED);
      }
      PostedAmount posted = Sales.posted(d);
      String currency = sale.getString("currency");
      if (!posted.currencyOr(currency).equals(currency)) {
        return Future.succeededFuture(Attribution.REFUND_CURRENCY_MISMATCH);
      }
      Money saleAmount = Money.of(sale.getLong("amount_minor"), currency);
      Money before = Money.of(sale.getLong("refunded"), currency);
      Money refund;
      try {
        // Without an amount, a refund refunds what remains.
        refund = posted.given() ? posted.in(currency) : Refunds.rest(saleAmount, before);
      } catch (InvalidInput e) {
        return Future.succeededFuture(PostedAmount.INVALID_AMOUNT);
      }
      String key = identity(d);
      ConversionRow row = new ConversionRow(event.programId(), event.id(), "refund", d.getString("transaction_id"),
          refund, d.getString("click_id"), d.getString("coupon"), sale.getLong("affiliate_id"),
          sale.getLong("campaign_id"), sale.getLong("link_id"), "credited", null, event.time(),
          sale.getLong("customer_id"), key, d.getString("refund_id"), Trust.fromWire(d.getString("trust")));
      return refundExists(tx, event.programId(), d.getString("transaction_id"), key).compose(applied -> {
        if (applied) {
          return Future.succeededFuture((String) null);
        }
        Optional<String> over = Refunds.reject(saleAmount, before, refund);
        if (over.isPresent()) {
          return Future.succeededFuture(over.get());
        }
        return store.insertConversion(tx, row).compose(refundId -> {
          if (refundId == null) {
            return Future.succeededFuture();
          }
          // Counted under its sale's credit and click (a sale has a link only when a click credited it),
          // when it happened.
          String click = sale.getLong("link_id") == null ? null : sale.getString("click_id");
          rollups.refund(RollupBatch.origin(event.programId(), event.time(), sale.getLong("campaign_id"),
              sale.getLong("affiliate_id"), sale.getLong("link_id"),
              click == null ? null : new RollupBatch.ClickRef(click, null)), refund);
          // The reversal's triggers read the cells of the batch's new commissions: written first.
          return rollups.cellsBeforeStatusChanges(tx)
              .compose(v -> reverse(tx, event, sale, refundId, refund, before, tally));
        }).map((String) null);
      });
    });
  }

  private Future<Void> reverse(SqlConnection tx, CloudEvent event, Row sale, long refundId, Money refund,
      Money before, Tally tally) {
    tally.conversions++;
    long saleId = sale.getLong("id");
    Money saleAmount = Money.of(sale.getLong("amount_minor"), sale.getString("currency"));
    return tx.preparedQuery(SALE_COMMISSIONS).execute(Tuple.of(event.programId(), saleId)).compose(rows -> {
      List<Held> held = new ArrayList<>();
      Map<Long, Row> byId = new HashMap<>();
      for (Row r : rows) {
        byId.put(r.getLong("id"), r);
        held.add(new Held(r.getLong("id"), Money.of(r.getLong("amount_minor"), r.getString("currency")),
            CommissionStatus.fromWire(r.getString("status")), r.getLong("payout_id") != null));
      }
      Future<Void> chain = Future.succeededFuture();
      for (Movement m : Refunds.plan(held, saleAmount, before, refund)) {
        chain = chain.compose(v -> move(tx, event, m, byId, refundId, tally));
      }
      JsonObject data = new JsonObject().put("refund_id", Long.toString(refundId))
          .put("sale_conversion_id", Long.toString(saleId))
          .put("transaction_id", event.data().getString("transaction_id"))
          .put("amount_cents", refund.minor()).put("currency", refund.currency())
          .put("full", before.plus(refund).minor() >= saleAmount.minor());
      return chain.compose(v -> outbox.emit(tx, new Event(event.programId(), event.time(),
          EventTypes.REFUND_RECORDED, "refund:" + refundId, data)));
    });
  }

  private Future<Void> move(SqlConnection tx, CloudEvent event, Movement m, Map<Long, Row> byId, long refundId,
      Tally tally) {
    Instant now = event.time();
    if (m instanceof Cancel cancel) {
      String from = byId.get(cancel.commissionId()).getString("status");
      return tx.preparedQuery(VOID).execute(Tuple.of(event.programId(), cancel.commissionId(), LedgerStore.utc(now)))
          .compose(rows -> rows.size() == 0 ? Future.succeededFuture() : outbox.emit(tx,
              CommissionEvents.statusChanged(rows.iterator().next(), from, "voided", "refund", now)))
          .compose(v -> reversals.carry(tx, event.programId(), cancel.commissionId(), CommissionStatus.VOIDED,
              "refund", now));
    }
    Reverse r = (Reverse) m;
    Row original = byId.get(r.commissionId());
    Instant dueAt = "clawback".equals(r.kind()) ? now : original.getOffsetDateTime("due_at").toInstant();
    CommissionRow row = new CommissionRow(event.programId(), r.kind() + ":" + refundId + ":" + r.commissionId(),
        r.kind(), refundId, null, original.getLong("affiliate_id"), original.getLong("campaign_id"), r.amount(),
        r.status(), dueAt, null, r.commissionId(),
        // A refund entry waits with its held commission; a clawback is due at once.
        "refund".equals(r.kind()) && original.getBoolean("held"));
    return store.insertCommission(tx, row).compose(id -> {
      if (id == null) {
        return Future.succeededFuture();
      }
      tally.commissions++;
      return outbox.emit(tx, CommissionEvents.created(id, row, event.data().getString("transaction_id"), now));
    });
  }
}
