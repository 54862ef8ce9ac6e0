package io.tracklane.store;

import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Small conversions from rows to the API's JSON conventions (ids as strings, UTC timestamps). */
public final class Rows {
  private Rows() {
  }

  public static String id(Row row, String column) {
    Long value = row.getLong(column);
    return value == null ? null : value.toString();
  }

  public static String time(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString();
  }
}
