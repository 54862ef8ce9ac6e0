package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;

/** Programs: the tenants. */
public final class ProgramRepository {
  private static final String INSERT = """
      INSERT INTO programs (name, time_zone, currency, postback_token_hash, postback_secret, fallback_url)
      VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""";
  private static final String BY_TOKEN = """
      SELECT id, time_zone, currency, postback_secret, fallback_url FROM programs WHERE postback_token_hash = $1""";
  private static final String BY_ID = """
      SELECT id, time_zone, currency, postback_secret, fallback_url FROM programs WHERE id = $1""";
  private static final String SET_API_RATE_LIMIT = """
      UPDATE programs p SET api_rate_limit = $2, updated_at = now() FROM programs old
      WHERE p.id = $1 AND old.id = p.id RETURNING old.api_rate_limit""";

  /** What the edge and the ledger need to know of a program. */
  public record ProgramInfo(long id, String timeZone, String currency, String postbackSecret, String fallbackUrl) {
  }

  private final Pool pool;

  public ProgramRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Long> create(SqlClient client, String name, String timeZone, String currency, String tokenHash,
      String secret, String fallbackUrl) {
    return client.preparedQuery(INSERT)
        .execute(Tuple.of(name, timeZone, currency, tokenHash, secret, fallbackUrl))
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  /** The program whose postback token hashes to {@code tokenHash}, or null. */
  public Future<ProgramInfo> findByTokenHash(String tokenHash) {
    return pool.preparedQuery(BY_TOKEN).execute(Tuple.of(tokenHash)).map(ProgramRepository::first);
  }

  public Future<ProgramInfo> findById(long id) {
    return pool.preparedQuery(BY_ID).execute(Tuple.of(id)).map(ProgramRepository::first);
  }

  /** Sets the program's API requests per window (null: the default); the previous value, null if no such program. */
  public Future<Optional<Integer>> setApiRateLimit(SqlClient client, long programId, Integer requests) {
    return client.preparedQuery(SET_API_RATE_LIMIT).execute(Tuple.of(programId, requests))
        .map(rows -> rows.size() == 0 ? null : Optional.ofNullable(rows.iterator().next().getInteger(0)));
  }

  /** Sets the program's cookie domain (null: host-only); the previous one, or null when no such program. */
  public Future<Optional<String>> setCookieDomain(SqlClient client, long programId, String domain) {
    return client.preparedQuery("UPDATE programs p SET cookie_domain = $2 FROM programs old"
            + " WHERE p.id = $1 AND old.id = p.id RETURNING old.cookie_domain").execute(Tuple.of(programId, domain))
        .map(rows -> rows.size() == 0 ? null : Optional.ofNullable(rows.iterator().next().getString(0)));
  }

  private static ProgramInfo first(io.vertx.sqlclient.RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row r = rows.iterator().next();
    return new ProgramInfo(r.getLong("id"), r.getString("time_zone"), r.getString("currency"),
        r.getString("postback_secret"), r.getString("fallback_url"));
  }
}
