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

  /** Owner roles that may change data; reporting keys only read. */
  public boolean canWrite() {
    return "admin".equals(role) || "manager".equals(role);
  }

  /** The rows this key may see of a table aliased {@code alias}: its program's, and its own if an affiliate's. */
  public Filter filter(String alias) {
    return Filter.scoped(alias, programId, affiliateId);
  }
}
