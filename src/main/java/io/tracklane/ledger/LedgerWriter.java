package io.tracklane.ledger;

import io.tracklane.domain.Attribution;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.domain.CommissionStatus;
import io.tracklane.domain.Currencies;
import io.tracklane.domain.FxRate;
import io.tracklane.domain.InvalidInput;
import io.tracklane.domain.Money;
import io.tracklane.domain.PostedAmount;
import io.tracklane.domain.Trust;
import io.tracklane.domain.RewardRule.CustomerHistory;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.ledger.Attributor.Credit;
import io.tracklane.ledger.CustomerStore.Customer;
import io.tracklane.ledger.LedgerStore.CommissionRow;
import io.tracklane.ledger.LedgerStore.ConversionRow;
import io.tracklane.ledger.LedgerStore.WrittenConversion;
import io.tracklane.ledger.Outbox.Event;
import io.tracklane.stats.ClickDims;
import io.tracklane.stats.RollupBatch;
import io.tracklane.stats.StatsVersions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a batch of facts in one transaction. Every write is idempotent, so a batch that is
 * redelivered after a crash (offsets are committed only after this commits) changes nothing.
 * Counters move only after the commit, by what was new.
 */
public final class LedgerWriter {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerWriter.class);
  private final Pool pool;
  private final LedgerStore store;
  private final SetWrites sets;
  private final CustomerStore customers = new CustomerStore();
  private final Outbox outbox = new Outbox();
  private final Attributor attributor;
  private final RefundPosting refunds;
  private final LedgerMetrics metrics;
  private final Function<List<String>, Future<Void>> forgetRejected;
  private final StatsVersions versions;
  private final boolean rollups;
  private final ClickDims clickDims = new ClickDims(ClickDims.DEFAULT_CAPACITY);

  public LedgerWriter(Pool pool, ClickIdCodec clickIds, LedgerMetrics metrics) {
    this(pool, clickIds, metrics, ids -> Future.succeededFuture(), null, true);
  }

  /**
   * @param forgetRejected told, after each commit, the event ids of the postbacks the batch rejected,
   *     so the edge stops answering their resends "duplicate" (best effort)
   */
  public LedgerWriter(Pool pool, ClickIdCodec clickIds, LedgerMetrics metrics,
      Function<List<String>, Future<Void>> forgetRejected) {
    this(pool, clickIds, metrics, forgetRejected, null, true);
  }

  /**
   * @param versions told, after each commit, the programs whose figures changed (null: nobody)
   * @param rollups false writes no rollups: only for the benchmark measuring what they cost
   */
  public LedgerWriter(Pool pool, ClickIdCodec clickIds, LedgerMetrics metrics,
      Function<List<String>, Future<Void>> forgetRejected, StatsVersions versions, boolean rollups) {
    this.store = new LedgerStore();
    this.sets = new SetWrites(metrics.clickIdCollisions);
    this.pool = pool;
    this.versions = versions;
    this.rollups = rollups;
    this.attributor = new Attributor(store, clickIds);
    this.refunds = new RefundPosting(store, outbox);
    this.metrics = metrics;
    this.forgetRejected = forgetRejected;
  }

  /**
   * Applies the events in one transaction; the Future completes after the commit. The batch's clicks
   * and impressions are stored first, one statement each (a sale may be credited to a click of the
   * same batch). Events of one customer (or, without a customer, of one transaction id) form a lane
   * applied in order; lanes touch disjoint rows, so they are applied in rounds: round k applies the
   * k-th event of every lane together, its sales' conversions written with one statement and the
   * rest decided in memory. Refunds go last, in order, so they see every sale of the batch.
   */
  public Future<Void> apply(List<CloudEvent> events) {
    Batch batch = new Batch(rollups ? new RollupBatch(clickDims) : RollupBatch.disabled());
    Map<String, List<CloudEvent>> lanes = new LinkedHashMap<>();
    List<CloudEvent> clicks = new ArrayList<>();
    List<CloudEvent> impressions = new ArrayList<>();
    List<CloudEvent> refunds = new ArrayList<>();
    for (CloudEvent event : events) {
      JsonObject d = event.data();
      if (EventTypes.CLICK_RECORDED.equals(event.type())) {
        clicks.add(event);
        continue;
      }
      if (EventTypes.IMPRESSION_RECORDED.equals(event.type())) {
        impressions.add(event);
        continue;
      }
      if (EventTypes.POSTBACK_RECEIVED.equals(event.type()) && "refund".equals(d.getString("event"))) {
        refunds.add(event);
        continue;
      }
      String customer = Attribution.customerKey(d.getString("customer_id"), d.getString("customer_email"));
      String lane = customer != null ? "c:" + customer
          : d.getString("transaction_id") != null ? "t:" + d.getString("transaction_id") : "e:" + event.id();
      lanes.computeIfAbsent(lane, k -> new ArrayList<>()).add(event);
    }
    return pool.withTransaction(tx -> customers.lockAll(tx, events).compose(locked -> {
      batch.customers(locked);
      // join, not all: a failed statement must not leave others still being sent once the
      // transaction is rolled back and the connection is back in the pool.
      // Refunds read the commissions of their sales, so the batch's new commissions are written first.
      return Future.join(clicks(tx, clicks, batch), impressions(tx, impressions, batch))
          .compose(v -> rounds(tx, new ArrayList<>(lanes.values()), 0, batch))
          .compose(v -> batch.flush(tx, store, outbox, customers))
          .compose(v -> waitingRefunds(tx, batch))
          .compose(v -> inOrder(tx, refunds, batch)).compose(v -> batch.flush(tx, store, outbox, customers))
          .compose(v -> batch.rollups.write(tx));
    })).onSuccess(v -> {
      if (versions != null) {
        versions.bump(batch.rollups.programs());
      }
      batch.tally.publish(metrics, events.size());
      forgetRejected.apply(batch.rejectedPostbacks)
          .onFailure(e -> LOG.warn("rejected postbacks not forgotten at the edge: {}", e.toString()));
    });
  }

  /** The batch's clicks in one statement; the new ones counted in the rollups. */
  private Future<Void> clicks(SqlConnection tx, List<CloudEvent> clicks, Batch batch) {
    return sets.insertClicks(tx, clicks).map(isNew -> {
      for (int i = 0; i < isNew.length; i++) {
        if (isNew[i]) {
          countClick(clicks.get(i), batch);
        }
      }
      return null;
    });
  }

  /** The batch's impressions in one statement; the new ones counted in the rollups. */
  private Future<Void> impressions(SqlConnection tx, List<CloudEvent> impressions, Batch batch) {
    return sets.insertImpressions(tx, impressions).map(isNew -> {
      for (int i = 0; i < isNew.length; i++) {
        if (isNew[i]) {
          CloudEvent event = impressions.get(i);
          JsonObject d = event.data();
          batch.rollups.impression(event.programId(), event.time(), d.getLong("campaign_id"),
              d.getLong("affiliate_id"), d.getLong("link_id"));
        }
      }
      return null;
    });
  }

  /**
   * Applies round {@code k} of the lanes (the k-th event of each), then the next: a customer's k-th
   * event sees what its earlier ones did. Within a round the sales go together ({@link #sales}), the
   * other events (leads, rejected facts) one statement each, pipelined.
   */
  private Future<Void> rounds(SqlConnection tx, List<List<CloudEvent>> lanes, int k, Batch batch) {
    List<CloudEvent> sales = new ArrayList<>();
    List<Future<Void>> others = new ArrayList<>();
    for (List<CloudEvent> lane : lanes) {
      if (lane.size() > k) {
        CloudEvent event = lane.get(k);
        if (isSale(event)) {
          sales.add(event);
        } else {
          others.add(applyOne(tx, event, batch));
        }
      }
    }
    if (sales.isEmpty() && others.isEmpty()) {
      return Future.succeededFuture();
    }
    others.add(sales(tx, sales, batch));
    return Future.join(others).compose(v -> rounds(tx, lanes, k + 1, batch));
  }

  /**
   * Refunds that came before their sale were rejected and wait: once the sale is credited they are
   * applied, in the order they happened, before the batch's own refunds.
   */
  private Future<Void> waitingRefunds(SqlConnection tx, Batch batch) {
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<Long, String> sale : batch.creditedSales) {
      chain = chain.compose(v -> refunds.waiting(tx, sale.getKey(), sale.getValue()))
          .compose(waiting -> inOrder(tx, waiting, batch));
    }
    return chain;
  }

  private Future<Void> inOrder(SqlConnection tx, List<CloudEvent> events, Batch batch) {
    Future<Void> chain = Future.succeededFuture();
    for (CloudEvent event : events) {
      chain = chain.compose(v -> applyOne(tx, event, batch));
    }
    return chain;
  }

  private Future<Void> applyOne(SqlConnection tx, CloudEvent event, Batch batch) {
    return switch (event.type()) {
      case EventTypes.CLICK_RECORDED -> clicks(tx, List.of(event), batch);
      case EventTypes.IMPRESSION_RECORDED -> impressions(tx, List.of(event), batch);
      case EventTypes.POSTBACK_RECEIVED -> postback(tx, event, batch);
      case EventTypes.POSTBACK_DUPLICATE -> store.insertRejected(tx, event, "duplicate").mapEmpty();
      default -> Future.succeededFuture();
    };
  }

  private Future<Void> postback(SqlConnection tx, CloudEvent event, Batch batch) {
    JsonObject d = event.data();
    String kind = d.getString("event", "sale");
    String unfit = unfit(d);
    if (unfit != null) {
      return recordRejected(tx, event, unfit, batch);
    }
    String key = Attribution.customerKey(d.getString("customer_id"), d.getString("customer_email"));
    return switch (kind) {
      case "sale" -> sales(tx, List.of(event), batch);
      case "lead" -> lead(tx, event, key, batch);
      case "refund" -> refunds.apply(tx, event, batch.tally, batch.rollups)
          .compose(reason -> reason == null ? Future.succeededFuture() : reject(tx, event, reason, null, batch));
      default -> recordRejected(tx, event, "unsupported_event:" + kind, batch);
    };
  }

  /** Why a postback fact cannot be a conversion at all (recorded rejected as it is), or null. */
  private static String unfit(JsonObject d) {
    if (d.getString("refused") != null) {
      // A browser's conversion the edge could not attribute (no click id, a campaign that takes no
      // client conversions, a foreign origin): kept with the edge's reason, never credited.
      return d.getString("refused");
    }
    PostedAmount amount = posted(d);
    if (d.getString("transaction_id") == null
        || (amount.currency() != null && !Currencies.isValid(amount.currency()))
        || ("sale".equals(d.getString("event", "sale")) && !amount.given())) {
      // Not a conversion row we can store; kept as a rejected fact so nothing is silently lost.
      return "malformed_or_unknown_currency";
    }
    return null;
  }

  /** A sale postback that can be stored as a conversion: it goes with its round's sales. */
  private static boolean isSale(CloudEvent event) {
    return EventTypes.POSTBACK_RECEIVED.equals(event.type()) && "sale".equals(event.data().getString("event", "sale"))
        && unfit(event.data()) == null;
  }

  /** The amount a postback fact reported, as the edge wrote it. */
  static PostedAmount posted(JsonObject d) {
    return new PostedAmount(d.getLong("amount_minor"), d.getString("amount"), d.getString("currency"));
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
  private Future<Void> sales(SqlConnection tx, List<CloudEvent> sales, Batch batch) {
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
            rejecting.add(reject(tx, s.event(), s.reject(), s.customer(), batch));
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

  private Future<Void> lead(SqlConnection tx, CloudEvent event, String customerKey, Batch batch) {
    JsonObject d = event.data();
    Customer customer = batch.customer(event.programId(), customerKey);
    return attributor.attribute(tx, batch, event.programId(), d, customer, event.time()).compose(outcome -> {
      Long customerId = customer == null ? null : customer.id();
      if (outcome.credit() == null) {
        return store.insertLead(tx, event, customerId, null, outcome.reason()).compose(id -> id == null
            ? Future.succeededFuture() : recordRejected(tx, event, outcome.reason(), batch));
      }
      Credit credit = outcome.credit();
      return store.insertLead(tx, event, customerId, credit, null).compose(leadId -> {
        if (leadId == null) {
          return Future.succeededFuture();
        }
        batch.tally.conversions++;
        RollupBatch.Origin origin = origin(event, credit);
        batch.rollups.lead(origin);
        var reward = credit.terms().rule().leadCommission();
        JsonObject data = new JsonObject().put("lead_id", leadId.toString())
            .put("transaction_id", d.getString("transaction_id")).put("click_id", d.getString("click_id"))
            .put("affiliate_id", Long.toString(credit.affiliateId()))
            .put("campaign_id", Long.toString(credit.campaignId()));
        reward.ifPresent(amount -> batch.commission(row(event, credit, "lead", "lead:" + leadId, null, leadId, amount,
            null), d.getString("transaction_id"), event.time(), origin));
        batch.event(new Event(event.programId(), event.time(), EventTypes.LEAD_CREATED, "lead:" + leadId, data));
        markClick(event, credit, "lead", batch);
        batch.credit(event.programId(), customerKey, credit.affiliateId(), credit.campaignId(), event.time(), false);
        return Future.succeededFuture();
      });
    });
  }

  /** Where a credited lead or sale counts: its time, its credit, and the click that brought it. */
  private static RollupBatch.Origin origin(CloudEvent event, Credit credit) {
    RollupBatch.ClickRef click = credit.click() == null ? null
        : new RollupBatch.ClickRef(credit.click().value(), credit.click().issuedAt());
    return RollupBatch.origin(event.programId(), event.time(), credit.campaignId(), credit.affiliateId(),
        credit.linkId(), click);
  }

  private static void countClick(CloudEvent event, Batch batch) {
    JsonObject d = event.data();
    List<String> flags = new ArrayList<>();
    d.getJsonArray("flags", new io.vertx.core.json.JsonArray()).forEach(f -> flags.add(String.valueOf(f)));
    batch.rollups.click(d.getString("click_id"), event.programId(), event.time(), d.getLong("campaign_id"),
        d.getLong("affiliate_id"), d.getLong("link_id"), d.getString("source"), d.getString("sub1"),
        d.getString("sub2"), d.getString("sub3"), d.getString("sub4"), d.getString("sub5"), d.getString("user_agent"),
        flags);
  }

  private static CommissionRow row(CloudEvent event, Credit credit, String kind, String sourceKey, Long conversionId,
      Long leadId, Money amount, FxRate rate) {
    Instant dueAt = event.time().plus(Duration.ofDays(credit.terms().rule().payoutDelayDays()));
    boolean converted = rate != null && !rate.base().equals(rate.quote());
    boolean held = Trust.fromWire(event.data().getString("trust")).held(credit.terms().holdClientConversions());
    return new CommissionRow(event.programId(), sourceKey, kind, conversionId, leadId, credit.affiliateId(),
        credit.campaignId(), amount, CommissionStatus.PENDING, dueAt, converted ? rate.rate() : null, null, held);
  }

  private static void markClick(CloudEvent event, Credit credit, String state, Batch batch) {
    if (credit.click() != null) {
      batch.clickMark(new DerivedWrites.ClickMark(credit.click().value(), credit.click().issuedAt(), event.programId(),
          state));
    }
  }

  /**
   * Records a sale or refund as a rejected conversion (once) and the reason as a rejected fact. Its
   * amount is kept as reported, read in the program's currency when the postback named none (0 when
   * it cannot be read).
   */
  private Future<Void> reject(SqlConnection tx, CloudEvent event, String reason, Customer customer, Batch batch) {
    JsonObject d = event.data();
    PostedAmount amount = posted(d);
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
      return store.insertConversion(tx, conversion(event, null, customer, "rejected", reason, stored, refundKey));
    }).compose(id -> id == null ? Future.succeededFuture() : recordRejected(tx, event, reason, batch));
  }

  private Future<Void> recordRejected(SqlConnection tx, CloudEvent event, String reason, Batch batch) {
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

  static ConversionRow conversion(CloudEvent event, Credit credit, Customer customer, String status, String reason,
      Money amount, String refundKey) {
    JsonObject d = event.data();
    return new ConversionRow(event.programId(), event.id(), d.getString("event", "sale"),
        d.getString("transaction_id"), amount, d.getString("click_id"), d.getString("coupon"),
        credit == null ? null : credit.affiliateId(), credit == null ? null : credit.campaignId(),
        credit == null ? null : credit.linkId(), status, reason, event.time(), customer == null ? null : customer.id(),
        refundKey, d.getString("refund_id"), Trust.fromWire(d.getString("trust")));
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
