package io.tracklane.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads (and for set-up only, writes) a test engine's schema directly, for what the API does not show. */
public final class Sql {
  private Sql() {
  }

  public static List<Map<String, Object>> query(TestEngine engine, String sql, Object... args) {
    try (Connection conn = connect(engine); PreparedStatement st = conn.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        st.setObject(i + 1, args[i]);
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
            Object value = rs.getObject(c);
            row.put(rs.getMetaData().getColumnLabel(c), value instanceof java.sql.Array a ? List.of(
                (Object[]) a.getArray()) : value);
          }
          rows.add(row);
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls until the query returns at least {@code count} rows. */
  public static List<Map<String, Object>> awaitRows(TestEngine engine, int count, String sql, Object... args) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    List<Map<String, Object>> rows = List.of();
    while (System.nanoTime() < deadline) {
      rows = query(engine, sql, args);
      if (rows.size() >= count) {
        return rows;
      }
      Http.sleep(100);
    }
    throw new AssertionError("expected " + count + " rows of " + sql + ", got " + rows);
  }

  private static Connection connect(TestEngine engine) throws SQLException {
    var pg = engine.config().postgres();
    Connection conn = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
    conn.setSchema(pg.schema());
    return conn;
  }
}
