package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** One page of a collection and the total count across all pages. */
public record Paged(JsonArray data, long totalCount) {
  private static final String SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

  /**
   * Runs {@code select + filter + order} for one page and a count over the same filter.
   *
   * @param select "SELECT ... FROM table alias [JOIN ...]"
   * @param order "ORDER BY ..."
   */
  public static Future<Paged> query(Pool pool, String select, String from, Filter filter, String order,
      long offset, int limit, Function<Row, JsonObject> mapper) {
    List<Object> args = new ArrayList<>(filter.args());
    int at = filter.nextPosition();
    args.add(limit);
    args.add(offset);
    String pageSql = select + " " + from + filter.where() + " " + order + " LIMIT $" + at + " OFFSET $" + (at + 1);
    String countSql = "SELECT count(*) " + from + filter.where();
    // One snapshot for both, so the total always agrees with the page even while the ledger commits.
    return pool.withTransaction(tx -> tx.query(SNAPSHOT).execute().compose(v -> {
      Future<JsonArray> page = tx.preparedQuery(pageSql).execute(Tuple.from(args)).map(rows -> {
        JsonArray data = new JsonArray();
        rows.forEach(row -> data.add(mapper.apply(row)));
        return data;
      });
      Future<Long> count = tx.preparedQuery(countSql).execute(Tuple.from(filter.args()))
          .map(rows -> rows.iterator().next().getLong(0));
      return Future.all(page, count).map(done -> new Paged(page.result(), count.result()));
    }));
  }
}
