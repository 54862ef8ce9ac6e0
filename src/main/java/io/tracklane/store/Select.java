package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Every row one filter selects, unpaged: for loading the related objects of a page in one query
 * ({@code id = ANY(?)} with the page's ids), so the filter bounds the size.
 */
public final class Select {
  private Select() {
  }

  /**
   * @param selectFrom "SELECT ... FROM table alias"
   * @param order "ORDER BY ..."
   */
  public static Future<List<JsonObject>> all(Pool pool, String selectFrom, Filter filter, String order,
      Function<Row, JsonObject> mapper) {
    return pool.preparedQuery(selectFrom + filter.where() + " " + order).execute(Tuple.from(filter.args()))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>(rows.size());
          rows.forEach(row -> out.add(mapper.apply(row)));
          return out;
        });
  }
}
