package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/** Reading payouts. Writes happen in the ledger's payout run and mark-as-paid transaction. */
public final class PayoutRepository {
  private static final String SELECT = """
      SELECT p.id, p.affiliate_id, p.currency, p.amount_minor, p.commission_count, p.status, p.created_at,
             p.paid_at""";

  private final Pool pool;

  public PayoutRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Paged> list(Filter filter, long offset, int limit) {
    return Paged.query(pool, SELECT, "FROM payouts p", filter, "ORDER BY p.id DESC", offset, limit,
        PayoutRepository::toJson);
  }

  public Future<JsonObject> get(long programId, long id) {
    return pool.preparedQuery(SELECT + " FROM payouts p WHERE p.program_id = $1 AND p.id = $2")
        .execute(Tuple.of(programId, id))
        .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
  }

  /** Every row the filter selects (alias p), unpaged: the filter bounds it, e.g. by a page's ids. */
  public Future<List<JsonObject>> all(Filter filter) {
    return Select.all(pool, SELECT + " FROM payouts p", filter, "ORDER BY p.id", PayoutRepository::toJson);
  }

  static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("affiliate_id", Rows.id(r, "affiliate_id"))
        .put("currency", r.getString("currency"))
        .put("amount_cents", r.getLong("amount_minor"))
        .put("commission_count", r.getInteger("commission_count"))
        .put("status", r.getString("status"))
        .put("created_at", Rows.time(r, "created_at"))
        .put("paid_at", Rows.time(r, "paid_at"));
  }
}
