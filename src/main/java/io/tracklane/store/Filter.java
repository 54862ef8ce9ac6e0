package io.tracklane.store;

import java.util.ArrayList;
import java.util.List;

/**
 * A WHERE clause that always starts with the program: no query can forget the tenant. Columns come
 * from code, values are bound as parameters.
 */
public final class Filter {
  private final List<String> clauses = new ArrayList<>();
  private final List<Object> args = new ArrayList<>();

  private Filter(String programColumn, long programId) {
    add(programColumn + " = ?", programId);
  }

  public static Filter program(long programId) {
    return new Filter("program_id", programId);
  }

  /** For queries whose main table is aliased, e.g. {@code c.program_id}. */
  public static Filter program(String programColumn, long programId) {
    return new Filter(programColumn, programId);
  }

  /**
   * The program clause and, when {@code affiliateId} is not null (an affiliate's key), the clause
   * {@code alias.affiliate_id = affiliateId}: how every query of the affiliate API is scoped.
   */
  public static Filter scoped(String alias, long programId, Long affiliateId) {
    return scoped(alias + ".program_id", programId, alias + ".affiliate_id = ?", affiliateId);
  }

  /** The same with the affiliate clause written out, for rows reached through another table. */
  public static Filter scoped(String programColumn, long programId, String affiliateClause, Long affiliateId) {
    return new Filter(programColumn, programId).add(affiliateClause, affiliateId);
  }

  /** Adds {@code clause} (with one '?' per value) when the first value is not null. */
  public Filter add(String clause, Object... values) {
    if (values.length > 0 && values[0] == null) {
      return this;
    }
    String bound = clause;
    for (Object value : values) {
      args.add(value);
      bound = bound.replaceFirst("\\?", "\\$" + args.size());
    }
    clauses.add(bound);
    return this;
  }

  /** Adds {@code column = ANY(ids)}, the ids bound as one bigint[]: a page's related rows in one query. */
  public Filter anyOf(String column, List<Long> ids) {
    return add(column + " = ANY(?)", (Object) ids.toArray(new Long[0]));
  }

  public String where() {
    return " WHERE " + String.join(" AND ", clauses);
  }

  public List<Object> args() {
    return args;
  }

  /** The position the next bound parameter will take, for LIMIT/OFFSET after the filter. */
  public int nextPosition() {
    return args.size() + 1;
  }
}
