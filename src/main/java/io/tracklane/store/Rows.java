package io.tracklane.store;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.Function;

/** Small conversions from rows to the API's JSON conventions (ids as strings, UTC timestamps). */
public final class Rows {
  private Rows() {
  }

  public static String id(Row row, String column) {
    Long value = row.getLong(column);
    return value == null ? null : value.toString();
  }

  /** The first row mapped, or null when there is none (a lookup by id). */
  public static <T> T first(RowSet<Row> rows, Function<Row, T> mapper) {
    return rows.size() == 0 ? null : mapper.apply(rows.iterator().next());
  }

  public static String time(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString();
  }
}
