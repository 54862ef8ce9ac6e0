package io.tracklane.api;

import io.tracklane.store.Filter;

/**
 * Who is calling: the program every query is scoped by, the key, its role, and for affiliate keys
 * the affiliate every query is further scoped by.
 */
public record Principal(long programId, long keyId, String role, Long affiliateId) {
  public static final String CONTEXT_KEY = "tracklane.principal";

  public boolean isOwner() {
    return affiliateId == null;
  }

  /** The row of the access table this key falls under. */
  public AccessTable.Caller caller() {
    if (affiliateId != null) {
      return AccessTable.Caller.AFFILIATE;
    }
    return switch (role) {
      case "admin" -> AccessTable.Caller.ADMIN;
      case "manager" -> AccessTable.Caller.MANAGER;
      default -> AccessTable.Caller.REPORTING;
    };
  }

  /** The rows this key may see of a table aliased {@code alias}: its program's, and its own if an affiliate's. */
  public Filter filter(String alias) {
    return Filter.scoped(alias, programId, affiliateId);
  }
}
