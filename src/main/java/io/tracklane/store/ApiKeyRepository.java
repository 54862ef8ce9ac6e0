package io.tracklane.store;

import io.tracklane.domain.IpRanges;
import io.tracklane.domain.Secrets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/** API keys: issued here with a random secret that is returned once and stored only as its hash. */
public final class ApiKeyRepository {
  private static final String COLUMNS = """
      k.id, k.display_prefix, k.label, k.role, k.affiliate_id, k.ip_allowlist, k.rate_limit, k.created_at,
      k.expires_at, k.last_used_at, k.request_count, k.revoked_at""";
  private static final String INSERT = """
      INSERT INTO api_keys (program_id, kind, role, affiliate_id, label, display_prefix, key_hash, ip_allowlist,
                            expires_at, rate_limit)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id""";
  private static final String FIND_ACTIVE = """
      SELECT k.id, k.program_id, k.role, k.affiliate_id, k.ip_allowlist, k.expires_at,
             coalesce(k.rate_limit, p.api_rate_limit) AS rate_limit
      FROM api_keys k JOIN programs p ON p.id = k.program_id
      WHERE k.key_hash = $1 AND k.revoked_at IS NULL""";
  private static final String REVOKE = "UPDATE api_keys k SET revoked_at = now() WHERE k.program_id = $1 AND k.id = $2"
      + " AND k.revoked_at IS NULL";
  private static final String RECORD_USAGE = """
      UPDATE api_keys k SET request_count = k.request_count + u.n, last_used_at = greatest(k.last_used_at, u.at)
      FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[]) AS u(program_id, id, n, at)
      WHERE k.program_id = u.program_id AND k.id = u.id""";

  /** An unrevoked key: whose program it acts in, its role, from where, until when, how often. */
  public record ActiveKey(long keyId, long programId, String role, Long affiliateId, IpRanges ipAllowlist,
      Instant expiresAt, Integer rateLimit) {
  }

  /**
   * What a new key is: an owner key has a role (admin, manager, reporting), an affiliate key an
   * affiliate; the allowlist (empty: any address), expiry and rate limit are optional.
   */
  public record NewKey(String role, Long affiliateId, String label, IpRanges ipAllowlist, OffsetDateTime expiresAt,
      Integer rateLimit) {
    public static NewKey of(String role, Long affiliateId, String label) {
      return new NewKey(role, affiliateId, label, IpRanges.NONE, null, null);
    }
  }

  /** A key just issued: its id, and its secret, which is never available again. */
  public record Issued(long id, String secret, String hash) {
  }

  /** A key just revoked: its hash (for dropping it from caches) and how it reads now. */
  public record Revoked(String hash, JsonObject key) {
  }

  /** One key's requests since the last write. */
  public record Usage(long programId, long keyId, long requests, OffsetDateTime lastUsedAt) {
  }

  private final Pool pool;

  public ApiKeyRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Issued> create(SqlClient client, long programId, NewKey key) {
    boolean owner = key.affiliateId() == null;
    String secret = Secrets.generate(owner ? "sk_" : "ak_");
    String hash = Secrets.hash(secret);
    return client.preparedQuery(INSERT)
        .execute(Tuple.from(Arrays.asList(programId, owner ? "owner" : "affiliate", owner ? key.role() : "affiliate",
            key.affiliateId(), key.label(), Secrets.displayPrefix(secret), hash,
            key.ipAllowlist().entries().toArray(new String[0]), key.expiresAt(), key.rateLimit())))
        .map(rows -> new Issued(rows.iterator().next().getLong("id"), secret, hash));
  }

  public Future<Paged> list(Filter filter, long offset, int limit) {
    return Paged.query(pool, "SELECT " + COLUMNS, "FROM api_keys k", filter, "ORDER BY k.id DESC", offset, limit,
        ApiKeyRepository::toJson);
  }

  /** The key as listings show it, or null; {@code affiliateId} (when not null) must own it. */
  public Future<JsonObject> get(SqlClient client, long programId, Long affiliateId, long id) {
    Filter filter = Filter.program("k.program_id", programId).add("k.id = ?", id)
        .add("k.affiliate_id = ?", affiliateId);
    return client.preparedQuery("SELECT " + COLUMNS + " FROM api_keys k" + filter.where())
        .execute(Tuple.from(filter.args()))
        .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
  }

  /** Revokes the key, or answers null when it is already revoked or not this program's (or affiliate's). */
  public Future<Revoked> revoke(SqlClient client, long programId, Long affiliateId, long id) {
    String sql = REVOKE + (affiliateId == null ? "" : " AND k.affiliate_id = $3") + " RETURNING k.key_hash, "
        + COLUMNS;
    Tuple args = affiliateId == null ? Tuple.of(programId, id) : Tuple.of(programId, id, affiliateId);
    return client.preparedQuery(sql).execute(args).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Revoked(row.getString("key_hash"), toJson(row));
    });
  }

  /** The unrevoked key with this hash, or null; its rate limit is its own, else its program's. */
  public Future<ActiveKey> findActive(String keyHash) {
    return pool.preparedQuery(FIND_ACTIVE).execute(Tuple.of(keyHash)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      OffsetDateTime expires = r.getOffsetDateTime("expires_at");
      return new ActiveKey(r.getLong("id"), r.getLong("program_id"), r.getString("role"), r.getLong("affiliate_id"),
          IpRanges.parse("ip_allowlist", allowlist(r)), expires == null ? null : expires.toInstant(),
          r.getInteger("rate_limit"));
    });
  }

  /** Adds the requests and moves last_used_at forward for every key in one statement. */
  public Future<Integer> recordUsage(List<Usage> usage) {
    Long[] programs = usage.stream().map(Usage::programId).toArray(Long[]::new);
    Long[] keys = usage.stream().map(Usage::keyId).toArray(Long[]::new);
    Long[] counts = usage.stream().map(Usage::requests).toArray(Long[]::new);
    OffsetDateTime[] times = usage.stream().map(Usage::lastUsedAt).toArray(OffsetDateTime[]::new);
    return pool.preparedQuery(RECORD_USAGE).execute(Tuple.of(programs, keys, counts, times))
        .map(rows -> rows.rowCount());
  }

  /** The key as the API shows it: never its secret or hash. */
  static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("prefix", r.getString("display_prefix"))
        .put("label", r.getString("label"))
        .put("role", r.getString("role"))
        .put("affiliate_id", Rows.id(r, "affiliate_id"))
        .put("ip_allowlist", new JsonArray(allowlist(r)))
        .put("rate_limit", r.getInteger("rate_limit"))
        .put("created_at", Rows.time(r, "created_at"))
        .put("expires_at", Rows.time(r, "expires_at"))
        .put("last_used_at", Rows.time(r, "last_used_at"))
        .put("request_count", r.getLong("request_count"))
        .put("revoked_at", Rows.time(r, "revoked_at"));
  }

  private static List<String> allowlist(Row r) {
    String[] entries = r.getArrayOfStrings("ip_allowlist");
    return entries == null ? List.of() : Arrays.asList(entries);
  }
}
