package io.tracklane.ledger;

import io.tracklane.domain.RewardRule.CustomerHistory;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Customers as the ledger binds and counts them. The row is locked for the rest of the batch
 * transaction, so two ledger instances crediting the same customer at once take turns: one binding,
 * and the cadence counts every commissioned sale.
 */
final class CustomerStore {
  /** Creates the customer if new and locks the row either way (DO UPDATE takes the row lock). */
  private static final String UPSERT_LOCK = """
      INSERT INTO customers (program_id, customer_key, external_id, email) VALUES ($1, $2, $3, $4)
      ON CONFLICT (program_id, customer_key) DO UPDATE SET email = coalesce(customers.email, EXCLUDED.email)
      RETURNING id, affiliate_id, campaign_id, first_commissioned_at, commissioned_sales""";
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
  }

  /** The customer under {@code key}, created if new and locked; null when there is no key. */
  Future<Customer> lock(SqlConnection tx, long programId, String key, String externalId, String email) {
    if (key == null) {
      return Future.succeededFuture(null);
    }
    return tx.preparedQuery(UPSERT_LOCK).execute(Tuple.of(programId, key, externalId, email)).map(rows -> {
      Row r = rows.iterator().next();
      OffsetDateTime first = r.getOffsetDateTime("first_commissioned_at");
      return new Customer(r.getLong("id"), r.getLong("affiliate_id"), r.getLong("campaign_id"),
          new CustomerHistory(first == null ? null : first.toInstant(), r.getInteger("commissioned_sales")));
    });
  }

  /**
   * Records a credit of the customer: binds it to the affiliate unless it is bound already, and
   * when {@code commissioned} counts one more commissioned sale (the first anchors the period).
   */
  Future<Void> credit(SqlConnection tx, long programId, Customer c, long affiliateId, long campaignId, Instant at,
      boolean commissioned) {
    if (c == null || (c.bound() && !commissioned)) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(CREDIT).execute(Tuple.of(programId, c.id(), affiliateId, campaignId, LedgerStore.utc(at),
        commissioned ? 1 : 0)).mapEmpty();
  }
}
