package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.List;

/** API keys, stored only as hashes. */
public final class ApiKeyRepository {
  private static final String INSERT = """
      INSERT INTO api_keys (program_id, kind, role, affiliate_id, label, display_prefix, key_hash)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""";
  private static final String FIND_ACTIVE = """
      SELECT id, program_id, role, affiliate_id, ip_allowlist FROM api_keys
      WHERE key_hash = $1 AND revoked_at IS NULL""";

  /** An active key: whose program it acts in, its role, and from where it may be used. */
  public record ActiveKey(long keyId, long programId, String role, Long affiliateId, List<String> ipAllowlist) {
  }

  private final Pool pool;

  public ApiKeyRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Long> create(SqlClient client, long programId, String role, Long affiliateId, String label,
      String displayPrefix, String keyHash) {
    String kind = affiliateId == null ? "owner" : "affiliate";
    return client.preparedQuery(INSERT)
        .execute(Tuple.of(programId, kind, role, affiliateId, label, displayPrefix, keyHash))
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  /** The unrevoked key with this hash, or null. */
  public Future<ActiveKey> findActive(String keyHash) {
    return pool.preparedQuery(FIND_ACTIVE).execute(Tuple.of(keyHash)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      String[] allow = r.getArrayOfStrings("ip_allowlist");
      return new ActiveKey(r.getLong("id"), r.getLong("program_id"), r.getString("role"), r.getLong("affiliate_id"),
          allow == null ? List.of() : Arrays.asList(allow));
    });
  }
}
