package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/** Reading the commission ledger. Writes happen in the ledger's batch transaction. */
public final class CommissionRepository {
  private static final String SELECT = """
      SELECT m.id, m.kind, m.conversion_id, m.lead_id, m.affiliate_id, m.campaign_id, m.amount_minor, m.currency,
             m.status, m.held, m.due_at, m.payout_id, m.fx_rate, m.created_at, m.updated_at""";

  private final Pool pool;

  public CommissionRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Paged> list(Filter filter, long offset, int limit) {
    return Paged.query(pool, SELECT, "FROM commissions m", filter, "ORDER BY m.id DESC", offset, limit,
        CommissionRepository::toJson);
  }

  public Future<JsonObject> get(long programId, long id) {
    return pool.preparedQuery(SELECT + " FROM commissions m WHERE m.program_id = $1 AND m.id = $2")
        .execute(Tuple.of(programId, id))
        .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
  }

  /** Every row the filter selects (alias m), unpaged: the filter bounds it, e.g. by a page's ids. */
  public Future<List<JsonObject>> all(Filter filter) {
    return Select.all(pool, SELECT + " FROM commissions m", filter, "ORDER BY m.id", CommissionRepository::toJson);
  }

  static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("kind", r.getString("kind"))
        .put("conversion_id", Rows.id(r, "conversion_id"))
        .put("lead_id", Rows.id(r, "lead_id"))
        .put("affiliate_id", Rows.id(r, "affiliate_id"))
        .put("campaign_id", Rows.id(r, "campaign_id"))
        .put("amount_cents", r.getLong("amount_minor"))
        .put("currency", r.getString("currency"))
        .put("status", r.getString("status"))
        .put("held", r.getBoolean("held"))
        .put("due_at", Rows.time(r, "due_at"))
        .put("payout_id", Rows.id(r, "payout_id"))
        .put("fx_rate", r.getBigDecimal("fx_rate"))
        .put("created_at", Rows.time(r, "created_at"))
        .put("updated_at", Rows.time(r, "updated_at"));
  }
}
