package io.tracklane.ledger;

import io.tracklane.domain.Attribution;
import io.tracklane.domain.CommissionStatus;
import io.tracklane.domain.FxRate;
import io.tracklane.domain.InvalidInput;
import io.tracklane.domain.Money;
import io.tracklane.domain.PostedAmount;
import io.tracklane.domain.RewardRule.CustomerHistory;
import io.tracklane.domain.Trust;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.ledger.Attributor.Credit;
import io.tracklane.ledger.CustomerStore.Customer;
import io.tracklane.ledger.LedgerStore.CommissionRow;
import io.tracklane.ledger.LedgerStore.ConversionRow;
import io.tracklane.ledger.LedgerStore.WrittenConversion;
import io.tracklane.ledger.Outbox.Event;
import io.tracklane.stats.RollupBatch;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A round's sales, at most one per customer: attributed in memory, their conversions written with one
 * statement, then credited (commission, customer, click mark, events) in order. Also what crediting
 * a lead shares with a sale.
 */
final class Sales {
  private final LedgerStore store;
  private final Attributor attributor;
  private final Rejections rejections;

  Sales(LedgerStore store, Attributor attributor, Rejections rejections) {
    this.store = store;
    this.attributor = attributor;
    this.rejections = rejections;
  }

  /** A sale's attribution: what to credit (conversion row, amount, rate) or why it is rejected. */
  private record SaleDecision(CloudEvent event, String customerKey, Customer customer, Credit credit, Money sale,
      FxRate rate, String reject) {
  }

  /**
   * Sales of distinct lanes (at most one per customer): each attributed (lookups memoised in the
   * batch, the bot flags of their clicks read together), their credited conversions written with one
   * statement, then credited in memory in order; the rejected ones recorded after, one statement each.
   */
  Future<Void> apply(SqlConnection tx, List<CloudEvent> sales, Batch batch) {
    if (sales.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<SaleDecision>> deciding = new ArrayList<>(sales.size());
    return attributor.readBotFlags(tx, batch, sales).compose(read -> {
      sales.forEach(event -> deciding.add(decide(tx, event, batch)));
      return Future.join(deciding);
    }).compose(v -> {
      List<SaleDecision> credited = new ArrayList<>();
      List<ConversionRow> rows = new ArrayList<>();
      for (Future<SaleDecision> f : deciding) {
        SaleDecision s = f.result();
        if (s.reject() == null) {
          credited.add(s);
          rows.add(conversion(s.event(), s.credit(), s.customer(), "credited", null, s.sale(), ""));
        }
      }
      return SetWrites.writeConversions(tx, rows).compose(written -> {
        for (int i = 0; i < written.size(); i++) {
          if (written.get(i).id() != null) {
            credit(credited.get(i), written.get(i), batch);
          }
        }
        List<Future<Void>> rejecting = new ArrayList<>();
        for (Future<SaleDecision> f : deciding) {
          SaleDecision s = f.result();
          if (s.reject() != null) {
            rejecting.add(rejections.reject(tx, s.event(), s.reject(), s.customer(), batch));
          }
        }
        return Future.join(rejecting).mapEmpty();
      });
    });
  }

  private Future<SaleDecision> decide(SqlConnection tx, CloudEvent event, Batch batch) {
    JsonObject d = event.data();
    String customerKey = Attribution.customerKey(d.getString("customer_id"), d.getString("customer_email"));
    Customer customer = batch.customer(event.programId(), customerKey);
    return attributor.attribute(tx, batch, event.programId(), d, customer, event.time()).compose(outcome -> {
      if (outcome.credit() == null) {
        return Future.succeededFuture(
            new SaleDecision(event, customerKey, customer, null, null, null, outcome.reason()));
      }
      Credit credit = outcome.credit();
      String campaignCurrency = credit.terms().rule().currency();
      Money sale;
      try {
        sale = posted(d).in(campaignCurrency);
      } catch (InvalidInput e) {
        return Future.succeededFuture(
            new SaleDecision(event, customerKey, customer, credit, null, null, PostedAmount.INVALID_AMOUNT));
      }
      String fxKey = "fx:" + event.programId() + ":" + sale.currency() + ":" + campaignCurrency;
      return batch.<FxRate>lookup(fxKey, () -> store.fxRate(tx, event.programId(), sale.currency(), campaignCurrency))
          .map(rate -> new SaleDecision(event, customerKey, customer, credit, sale, rate, rate != null ? null
              : Attribution.NO_FX_RATE + ":" + sale.currency() + "->" + campaignCurrency));
    });
  }

  /** A sale whose conversion was written (new, or a rejected one now credited): credited in memory. */
  private void credit(SaleDecision s, WrittenConversion written, Batch batch) {
    if (written.recredited()) {
      batch.event(new Event(s.event().programId(), s.event().time(), EventTypes.CONVERSION_STATUS_CHANGED,
          "conversion_status:" + written.id() + ":credited",
          conversionData(s.event().data(), written.id(), s.credit(), s.sale()).put("from", "rejected")
              .put("to", "credited")));
    }
    creditSale(s.event(), s.customerKey(), s.customer(), s.credit(), written.id(), s.sale(), s.rate(), batch);
  }

  private void creditSale(CloudEvent event, String customerKey, Customer customer, Credit credit,
      long conversionId, Money sale, FxRate rate, Batch batch) {
    batch.tally.conversions++;
    RollupBatch.Origin origin = origin(event, credit);
    batch.rollups.sale(origin, sale);
    batch.creditedSales.add(Map.entry(event.programId(), event.data().getString("transaction_id")));
    CustomerHistory history = customer == null ? CustomerHistory.NEW : customer.history(credit.campaignId());
    var commission = credit.terms().rule().saleCommission(sale, rate, history, event.time(), credit.terms().zone());
    commission.ifPresent(amount -> batch.commission(row(event, credit, "sale", "sale:" + conversionId, conversionId,
        null, amount, rate), event.data().getString("transaction_id"), event.time(), origin));
    batch.event(new Event(event.programId(), event.time(), EventTypes.CONVERSION_CREATED,
        "conversion:" + conversionId, conversionData(event.data(), conversionId, credit, sale)));
    markClick(event, credit, "converted", batch);
    batch.credit(event.programId(), customerKey, credit.affiliateId(), credit.campaignId(), event.time(),
        commission.isPresent());
  }

  /** The amount a postback fact reported, as the edge wrote it. */
  static PostedAmount posted(JsonObject d) {
    return new PostedAmount(d.getLong("amount_minor"), d.getString("amount"), d.getString("currency"));
  }

  static ConversionRow conversion(CloudEvent event, Credit credit, Customer customer, String status, String reason,
      Money amount, String refundKey) {
    JsonObject d = event.data();
    return new ConversionRow(event.programId(), event.id(), d.getString("event", "sale"),
        d.getString("transaction_id"), amount, d.getString("click_id"), d.getString("coupon"),
        credit == null ? null : credit.affiliateId(), credit == null ? null : credit.campaignId(),
        credit == null ? null : credit.linkId(), status, reason, event.time(), customer == null ? null : customer.id(),
        refundKey, d.getString("refund_id"), Trust.fromWire(d.getString("trust")));
  }

  /** Where a credited lead or sale counts: its time, its credit, and the click that brought it. */
  static RollupBatch.Origin origin(CloudEvent event, Credit credit) {
    RollupBatch.ClickRef click = credit.click() == null ? null
        : new RollupBatch.ClickRef(credit.click().value(), credit.click().issuedAt());
    return RollupBatch.origin(event.programId(), event.time(), credit.campaignId(), credit.affiliateId(),
        credit.linkId(), click);
  }

  static CommissionRow row(CloudEvent event, Credit credit, String kind, String sourceKey, Long conversionId,
      Long leadId, Money amount, FxRate rate) {
    Instant dueAt = event.time().plus(Duration.ofDays(credit.terms().rule().payoutDelayDays()));
    boolean converted = rate != null && !rate.base().equals(rate.quote());
    boolean held = Trust.fromWire(event.data().getString("trust")).held(credit.terms().holdClientConversions());
    return new CommissionRow(event.programId(), sourceKey, kind, conversionId, leadId, credit.affiliateId(),
        credit.campaignId(), amount, CommissionStatus.PENDING, dueAt, converted ? rate.rate() : null, null, held);
  }

  static void markClick(CloudEvent event, Credit credit, String state, Batch batch) {
    if (credit.click() != null) {
      batch.clickMark(new DerivedWrites.ClickMark(credit.click().value(), credit.click().issuedAt(), event.programId(),
          state));
    }
  }

  private static JsonObject conversionData(JsonObject d, long conversionId, Credit credit, Money sale) {
    return new JsonObject().put("conversion_id", Long.toString(conversionId))
        .put("transaction_id", d.getString("transaction_id")).put("kind", d.getString("event"))
        .put("amount_cents", sale.minor()).put("currency", sale.currency())
        .put("click_id", d.getString("click_id"))
        .put("affiliate_id", Long.toString(credit.affiliateId()))
        .put("campaign_id", Long.toString(credit.campaignId()));
  }
}
