package io.tracklane.ledger;

import io.tracklane.domain.Attribution;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.domain.Currencies;
import io.tracklane.domain.PostedAmount;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.stats.ClickDims;
import io.tracklane.stats.RollupBatch;
import io.tracklane.stats.StatsVersions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
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
  private final Rejections rejections;
  private final Sales sales;
  private final Leads leads;
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
    this.rejections = new Rejections(store);
    this.sales = new Sales(store, attributor, rejections);
    this.leads = new Leads(attributor, rejections);
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
   * event sees what its earlier ones did. Within a round the sales go together ({@link Sales}), the
   * leads together ({@link Leads}), the other events (rejected facts) one statement each, pipelined.
   */
  private Future<Void> rounds(SqlConnection tx, List<List<CloudEvent>> lanes, int k, Batch batch) {
    List<CloudEvent> sold = new ArrayList<>();
    List<CloudEvent> led = new ArrayList<>();
    List<Future<Void>> others = new ArrayList<>();
    for (List<CloudEvent> lane : lanes) {
      if (lane.size() > k) {
        CloudEvent event = lane.get(k);
        switch (fitKind(event)) {
          case "sale" -> sold.add(event);
          case "lead" -> led.add(event);
          default -> others.add(applyOne(tx, event, batch));
        }
      }
    }
    if (sold.isEmpty() && led.isEmpty() && others.isEmpty()) {
      return Future.succeededFuture();
    }
    others.add(sales.apply(tx, sold, batch));
    others.add(leads.apply(tx, led, batch));
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
      return rejections.record(tx, event, unfit, batch);
    }
    String key = Attribution.customerKey(d.getString("customer_id"), d.getString("customer_email"));
    return switch (kind) {
      case "sale" -> sales.apply(tx, List.of(event), batch);
      case "lead" -> leads.one(tx, event, key, batch);
      case "refund" -> refunds.apply(tx, event, batch.tally, batch.rollups)
          .compose(reason -> reason == null ? Future.succeededFuture()
              : rejections.reject(tx, event, reason, null, batch));
      default -> rejections.record(tx, event, "unsupported_event:" + kind, batch);
    };
  }

  /** Why a postback fact cannot be a conversion at all (recorded rejected as it is), or null. */
  private static String unfit(JsonObject d) {
    if (d.getString("refused") != null) {
      // A browser's conversion the edge could not attribute (no click id, a campaign that takes no
      // client conversions, a foreign origin): kept with the edge's reason, never credited.
      return d.getString("refused");
    }
    PostedAmount amount = Sales.posted(d);
    if (d.getString("transaction_id") == null
        || (amount.currency() != null && !Currencies.isValid(amount.currency()))
        || ("sale".equals(d.getString("event", "sale")) && !amount.given())) {
      // Not a conversion row we can store; kept as a rejected fact so nothing is silently lost.
      return "malformed_or_unknown_currency";
    }
    return null;
  }

  /**
   * "sale" or "lead" for a postback that can be stored as such (it goes with its round's sales or
   * leads), else "" (applied on its own).
   */
  private static String fitKind(CloudEvent event) {
    if (!EventTypes.POSTBACK_RECEIVED.equals(event.type()) || unfit(event.data()) != null) {
      return "";
    }
    String kind = event.data().getString("event", "sale");
    return "sale".equals(kind) || "lead".equals(kind) ? kind : "";
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
}
