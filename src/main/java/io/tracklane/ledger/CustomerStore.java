package io.tracklane.ledger;

import io.tracklane.domain.Attribution;
import io.tracklane.domain.RewardRule.CustomerHistory;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Customers as the ledger binds and counts them: the binding to an affiliate is per program (on the
 * customer), the cadence count per (customer, campaign). All customers of a batch are created if new
 * and locked at its start, in key order, and stay locked until it commits: two ledger instances
 * crediting the same customer take turns (one binding, every commissioned sale counted), and because
 * every batch locks in the same order they never deadlock. The counts of a customer are only written
 * under its lock. Within the batch the locked state is tracked in memory and the updates are written
 * in bulk.
 */
final class CustomerStore {
  /** DO UPDATE (not DO NOTHING) so that existing rows are returned and locked too. */
  private static final String LOCK_ALL = """
      INSERT INTO customers (program_id, customer_key, external_id, email)
      SELECT p, k, x, e FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS t(p, k, x, e) ORDER BY p, k
      ON CONFLICT (program_id, customer_key) DO UPDATE SET email = coalesce(customers.email, EXCLUDED.email)
      RETURNING id, program_id, customer_key, affiliate_id, campaign_id""";
  private static final String HISTORIES = """
      SELECT customer_id, campaign_id, first_commissioned_at, commissioned_sales FROM customer_campaigns
       WHERE (program_id, customer_id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[]))""";
  /** Binds unbound customers (one row each): the first credit wins. */
  private static final String BIND = """
      UPDATE customers c SET affiliate_id = u.affiliate_id, campaign_id = u.campaign_id, bound_at = u.at
        FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::timestamptz[])
             AS u(program_id, id, affiliate_id, campaign_id, at)
       WHERE c.program_id = u.program_id AND c.id = u.id AND c.affiliate_id IS NULL""";
  /**
   * Counts commissioned sales per (customer, campaign) (one row each, with the batch's count); the
   * first one is the anchor.
   */
  private static final String COUNT = """
      INSERT INTO customer_campaigns (program_id, customer_id, campaign_id, first_commissioned_at, commissioned_sales)
      SELECT * FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::timestamptz[], $5::int4[])
      ON CONFLICT (customer_id, campaign_id) DO UPDATE
        SET commissioned_sales = customer_campaigns.commissioned_sales + EXCLUDED.commissioned_sales""";

  /** A locked customer: who it is bound to (if anyone) and its commission history per campaign. */
  record Customer(long id, Long affiliateId, Long campaignId, Map<Long, CustomerHistory> histories) {
    boolean bound() {
      return affiliateId != null;
    }

    /** The customer's history in one campaign: what its cadence counts. */
    CustomerHistory history(long campaign) {
      return histories.getOrDefault(campaign, CustomerHistory.NEW);
    }

    /** The state after a credit: bound if it was not, and one more commissioned sale in the campaign if it earned. */
    Customer credited(long affiliate, long campaign, Instant at, boolean commissioned) {
      Map<Long, CustomerHistory> next = histories;
      if (commissioned) {
        CustomerHistory h = history(campaign);
        next = new HashMap<>(histories);
        next.put(campaign, new CustomerHistory(h.firstCommissionedAt() == null ? at : h.firstCommissionedAt(),
            h.commissionedSales() + 1));
      }
      return bound() ? new Customer(id, affiliateId, campaignId, next) : new Customer(id, affiliate, campaign, next);
    }
  }

  /** The writes of one credit: the binding (null when already bound) and the count (null when not commissioned). */
  record Credit(Bind bind, Count count) {
  }

  /** A customer bound to an affiliate and campaign. */
  record Bind(long programId, long customerId, long affiliateId, long campaignId, Instant at) {
  }

  /** One commissioned sale of a customer in a campaign. */
  record Count(long programId, long customerId, long campaignId, Instant at) {
  }

  /** The batch key of a customer: program and customer key. */
  static String key(long programId, String customerKey) {
    return programId + "|" + customerKey;
  }

  /** Creates and locks every customer the batch's leads and sales name; keyed by {@link #key}. */
  Future<Map<String, Customer>> lockAll(SqlConnection tx, List<CloudEvent> events) {
    TreeMap<String, Object[]> wanted = new TreeMap<>();
    for (CloudEvent event : events) {
      JsonObject d = event.data();
      String kind = d.getString("event", "sale");
      String customerKey = Attribution.customerKey(d.getString("customer_id"), d.getString("customer_email"));
      if (EventTypes.POSTBACK_RECEIVED.equals(event.type()) && !"refund".equals(kind) && customerKey != null) {
        wanted.putIfAbsent(key(event.programId(), customerKey), new Object[] {event.programId(), customerKey,
            d.getString("customer_id"), d.getString("customer_email")});
      }
    }
    if (wanted.isEmpty()) {
      return Future.succeededFuture(new HashMap<>());
    }
    List<Object[]> rows = new ArrayList<>(wanted.values());
    Tuple args = Tuple.of(rows.stream().map(r -> (Long) r[0]).toArray(Long[]::new),
        rows.stream().map(r -> (String) r[1]).toArray(String[]::new),
        rows.stream().map(r -> (String) r[2]).toArray(String[]::new),
        rows.stream().map(r -> (String) r[3]).toArray(String[]::new));
    return tx.preparedQuery(LOCK_ALL).execute(args).compose(locked -> {
      List<Row> found = new ArrayList<>();
      locked.forEach(found::add);
      Tuple ids = Tuple.tuple().addValue(found.stream().map(r -> r.getLong("program_id")).toArray(Long[]::new))
          .addValue(found.stream().map(r -> r.getLong("id")).toArray(Long[]::new));
      return tx.preparedQuery(HISTORIES).execute(ids).map(histories -> {
        Map<Long, Map<Long, CustomerHistory>> byCustomer = new HashMap<>();
        for (Row h : histories) {
          byCustomer.computeIfAbsent(h.getLong("customer_id"), k -> new HashMap<>()).put(h.getLong("campaign_id"),
              new CustomerHistory(h.getOffsetDateTime("first_commissioned_at").toInstant(),
                  h.getInteger("commissioned_sales")));
        }
        Map<String, Customer> out = new HashMap<>();
        for (Row r : found) {
          out.put(key(r.getLong("program_id"), r.getString("customer_key")), new Customer(r.getLong("id"),
              r.getLong("affiliate_id"), r.getLong("campaign_id"), byCustomer.getOrDefault(r.getLong("id"), Map.of())));
        }
        return out;
      });
    });
  }

  /** The writes of one credit (see {@link Customer#credited}), written in bulk by {@link #creditAll}. */
  static Credit credit(long programId, Customer c, long affiliateId, long campaignId, Instant at, boolean commissioned) {
    return new Credit(c.bound() ? null : new Bind(programId, c.id(), affiliateId, campaignId, at),
        commissioned ? new Count(programId, c.id(), campaignId, at) : null);
  }

  /**
   * Applies the credits, one statement for the bindings and one for the counts, as applying them in
   * order would: a customer's first binding wins, and its counts in one campaign add up, the first
   * one's time being the anchor of a new count.
   */
  Future<Void> creditAll(SqlConnection tx, List<Credit> credits) {
    Map<Long, Bind> binds = new LinkedHashMap<>();
    Map<String, Count> firsts = new LinkedHashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (Credit credit : credits) {
      if (credit.bind() != null) {
        binds.putIfAbsent(credit.bind().customerId(), credit.bind());
      }
      Count count = credit.count();
      if (count != null) {
        String key = count.customerId() + "|" + count.campaignId();
        firsts.putIfAbsent(key, count);
        counts.merge(key, 1, Integer::sum);
      }
    }
    List<Bind> b = new ArrayList<>(binds.values());
    List<Map.Entry<String, Count>> c = new ArrayList<>(firsts.entrySet());
    Future<Void> bound = b.isEmpty() ? Future.succeededFuture() : tx.preparedQuery(BIND).execute(Tuple.of(
        b.stream().map(Bind::programId).toArray(Long[]::new), b.stream().map(Bind::customerId).toArray(Long[]::new),
        b.stream().map(Bind::affiliateId).toArray(Long[]::new), b.stream().map(Bind::campaignId).toArray(Long[]::new),
        b.stream().map(x -> LedgerStore.utc(x.at())).toArray(OffsetDateTime[]::new))).mapEmpty();
    return bound.compose(v -> c.isEmpty() ? Future.succeededFuture() : tx.preparedQuery(COUNT).execute(Tuple.of(
        c.stream().map(e -> e.getValue().programId()).toArray(Long[]::new),
        c.stream().map(e -> e.getValue().customerId()).toArray(Long[]::new),
        c.stream().map(e -> e.getValue().campaignId()).toArray(Long[]::new),
        c.stream().map(e -> LedgerStore.utc(e.getValue().at())).toArray(OffsetDateTime[]::new),
        c.stream().map(e -> counts.get(e.getKey())).toArray(Integer[]::new))).mapEmpty());
  }
}
