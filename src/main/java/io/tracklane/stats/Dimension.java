package io.tracklane.stats;

import io.tracklane.domain.InvalidInput;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a stats query groups by. Time groupings cut days and months in the query's time zone; the
 * others are the rollups' dimensions. {@link #TOTAL} gives one row over everything selected.
 */
public enum Dimension {
  TOTAL("total", null),
  HOUR("hour", "to_char(bucket AT TIME ZONE $4::text, 'YYYY-MM-DD\"T\"HH24')"),
  DAY("day", "to_char(bucket AT TIME ZONE $4::text, 'YYYY-MM-DD')"),
  MONTH("month", "to_char(bucket AT TIME ZONE $4::text, 'YYYY-MM')"),
  CAMPAIGN("campaign", "campaign_id::text"),
  AFFILIATE("affiliate", "affiliate_id::text"),
  LINK("link", "link_id::text"),
  SOURCE("source", "source"),
  SUB1("sub1", "sub1"),
  SUB2("sub2", "sub2"),
  SUB3("sub3", "sub3"),
  SUB4("sub4", "sub4"),
  SUB5("sub5", "sub5"),
  DEVICE("device", "device");

  private final String wire;
  private final String sql;

  Dimension(String wire, String sql) {
    this.wire = wire;
    this.sql = sql;
  }

  public String wire() {
    return wire;
  }

  /** The SQL expression of the group key over stats_rollups ($4 is the time zone); null for TOTAL. */
  String sql() {
    return sql;
  }

  /** Whether the key is an id (0 in the rollups means "none", answered as a null key). */
  boolean isId() {
    return this == CAMPAIGN || this == AFFILIATE || this == LINK;
  }

  public boolean isTime() {
    return this == HOUR || this == DAY || this == MONTH;
  }

  /** The dimension named {@code wire}; {@code param} names the query parameter in the 400. */
  public static Dimension fromWire(String param, String wire) {
    for (Dimension d : values()) {
      if (d.wire.equals(wire)) {
        return d;
      }
    }
    throw new InvalidInput(param, "must be one of " + Arrays.stream(values()).map(Dimension::wire)
        .collect(Collectors.joining(", ")));
  }
}
