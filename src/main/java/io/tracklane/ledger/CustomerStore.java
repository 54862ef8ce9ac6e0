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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Customers as the ledger binds and counts them. All customers of a batch are created if new and
 * locked at its start, in key order, and stay locked until it commits: two ledger instances
 * crediting the same customer take turns (one binding, every commissioned sale counted), and
 * because every batch locks in the same order they never deadlock. Within the batch the locked
 * state is tracked in memory and the updates are written in bulk.
 */
final class CustomerStore {
  /** DO UPDATE (not DO NOTHING) so that existing rows are returned and locked too. */
  private static final String LOCK_ALL = """
      INSERT INTO customers (program_id, customer_key, external_id, email)
      SELECT p, k, x, e FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS t(p, k, x, e) ORDER BY p, k
      ON CONFLICT (program_id, customer_key) DO UPDATE SET email = coalesce(customers.email, EXCLUDED.email)
      RETURNING id, program_id, customer_key, affiliate_id, campaign_id, first_commissioned_at, commissioned_sales""";
  /** Binds an unbound customer (the first credit wins) and counts a commissioned sale, in one statement. */
  private static final String CREDIT = """
      UPDATE customers SET affiliate_id = coalesce(affiliate_id, $3),
                           campaign_id = CASE WHEN affiliate_id IS NULL THEN $4 ELSE campaign_id END,
                           bound_at = coalesce(bound_at, $5),
                           commissioned_sales = commissioned_sales + $6,
                           first_commissioned_at = CASE WHEN $6 = 1 THEN coalesce(first_commissioned_at, $5)
                                                        ELSE first_commissioned_at END
       WHERE program_id = $1 AND id = $2""";

  /** A locked customer: who it is bound to (if anyone) and its commission history. */
  record Customer(long id, Long affiliateId, Long campaignId, CustomerHistory history) {
    boolean bound() {
      return affiliateId != null;
    }

    /** The state after a credit: bound if it was not, and one more commissioned sale if it earned. */
    Customer credited(long affiliate, long campaign, Instant at, boolean commissioned) {
      CustomerHistory next = !commissioned ? history : new CustomerHistory(
          history.firstCommissionedAt() == null ? at : history.firstCommissionedAt(), history.commissionedSales() + 1);
      return bound() ? new Customer(id, affiliateId, campaignId, next) : new Customer(id, affiliate, campaign, next);
    }
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
    return tx.preparedQuery(LOCK_ALL).execute(args).map(result -> {
      Map<String, Customer> out = new HashMap<>();
      for (Row r : result) {
        OffsetDateTime first = r.getOffsetDateTime("first_commissioned_at");
        out.put(key(r.getLong("program_id"), r.getString("customer_key")), new Customer(r.getLong("id"),
            r.getLong("affiliate_id"), r.getLong("campaign_id"),
            new CustomerHistory(first == null ? null : first.toInstant(), r.getInteger("commissioned_sales"))));
      }
      return out;
    });
  }

  /** The arguments of one credit (see {@link Customer#credited}), written in bulk by {@link #creditAll}. */
  static Tuple credit(long programId, Customer c, long affiliateId, long campaignId, Instant at, boolean commissioned) {
    return Tuple.of(programId, c.id(), affiliateId, campaignId, LedgerStore.utc(at), commissioned ? 1 : 0);
  }

  /** Applies the credits in order: each is incremental, so several for one customer add up. */
  Future<Void> creditAll(SqlConnection tx, List<Tuple> credits) {
    return credits.isEmpty() ? Future.succeededFuture() : tx.preparedQuery(CREDIT).executeBatch(credits).mapEmpty();
  }
}
