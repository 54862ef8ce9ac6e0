package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;

/** A program's exchange rates; the ledger converts other-currency conversions with them. */
public final class FxRateRepository {
  private static final String LIST = """
      SELECT base_currency, quote_currency, rate, updated_at FROM fx_rates WHERE program_id = $1
       ORDER BY base_currency, quote_currency""";
  private static final String ONE = """
      SELECT base_currency, quote_currency, rate, updated_at FROM fx_rates
       WHERE program_id = $1 AND base_currency = $2 AND quote_currency = $3 FOR UPDATE""";
  private static final String PUT = """
      INSERT INTO fx_rates (program_id, base_currency, quote_currency, rate, updated_at) VALUES ($1, $2, $3, $4, now())
      ON CONFLICT (program_id, base_currency, quote_currency) DO UPDATE SET rate = EXCLUDED.rate, updated_at = now()""";

  private final Pool pool;

  public FxRateRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<JsonArray> list(long programId) {
    return pool.preparedQuery(LIST).execute(Tuple.of(programId)).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(toJson(r)));
      return out;
    });
  }

  /** The rate of the pair, locked until the transaction ends (the "before" of a change), or null. */
  public Future<JsonObject> lock(SqlClient tx, long programId, String base, String quote) {
    return tx.preparedQuery(ONE).execute(Tuple.of(programId, base, quote))
        .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
  }

  private static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("base_currency", r.getString("base_currency"))
        .put("quote_currency", r.getString("quote_currency"))
        .put("rate", r.getBigDecimal("rate").stripTrailingZeros().toPlainString())
        .put("updated_at", Rows.time(r, "updated_at"));
  }

  public Future<Void> put(SqlClient client, long programId, String base, String quote, BigDecimal rate) {
    return client.preparedQuery(PUT).execute(Tuple.of(programId, base, quote, rate)).mapEmpty();
  }
}
