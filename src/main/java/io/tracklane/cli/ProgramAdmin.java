package io.tracklane.cli;

import io.tracklane.domain.Currencies;
import io.tracklane.domain.InvalidInput;
import io.tracklane.domain.Secrets;
import io.tracklane.store.ApiKeyRepository;
import io.tracklane.store.ApiKeyRepository.Issued;
import io.tracklane.store.ApiKeyRepository.NewKey;
import io.tracklane.store.AuditLog;
import io.tracklane.store.ProgramRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.DateTimeException;
import java.time.ZoneId;

/** Creates a program with its postback credentials and first admin key; secrets are returned once. */
public final class ProgramAdmin {
  private final Pool pool;

  public ProgramAdmin(Pool pool) {
    this.pool = pool;
  }

  /** The new program as JSON: program_id, postback_token, postback_secret, api_key (shown once). */
  public Future<JsonObject> createProgram(String name, String timeZone, String currency, String fallbackUrl) {
    if (name == null || name.isBlank()) {
      return Future.failedFuture(new InvalidInput("name", "is required"));
    }
    try {
      ZoneId.of(timeZone);
      Currencies.minorDigits(currency);
    } catch (DateTimeException e) {
      return Future.failedFuture(new InvalidInput("time_zone", "is not a known time zone: " + timeZone));
    } catch (InvalidInput e) {
      return Future.failedFuture(e);
    }
    String token = Secrets.generate("pt_");
    String secret = Secrets.generate("ps_");
    return pool.withTransaction(tx -> new ProgramRepository(pool)
        .create(tx, name.trim(), timeZone, currency, Secrets.hash(token), secret, fallbackUrl)
        .compose(programId -> new ApiKeyRepository(pool)
            .create(tx, programId, NewKey.of("admin", null, "first admin key"))
            .map(key -> new JsonObject()
                .put("program_id", programId.toString())
                .put("name", name.trim())
                .put("time_zone", timeZone)
                .put("currency", currency)
                .put("postback_token", token)
                .put("postback_secret", secret)
                .put("api_key", key.secret()))));
  }

  /** A new affiliate key for an affiliate of the program; the key is returned once. */
  public Future<String> createAffiliateKey(long programId, long affiliateId, String label) {
    return new ApiKeyRepository(pool).create(pool, programId, NewKey.of(null, affiliateId, label))
        .map(Issued::secret);
  }

  /**
   * Sets the program's requests per rate-limit window for keys without their own limit; null goes
   * back to api.rate_limit.requests. Running engines apply it within api.key_cache_seconds.
   */
  public Future<Void> setRateLimit(long programId, Integer requests) {
    if (requests != null && requests < 1) {
      return Future.failedFuture(new InvalidInput("requests", "must be 1 or more"));
    }
    return pool.withTransaction(tx -> new ProgramRepository(pool).setApiRateLimit(tx, programId, requests)
        .compose(before -> before == null
            ? Future.failedFuture(new InvalidInput("program", programId + " does not exist"))
            : new AuditLog().record(tx, new AuditLog.Actor(programId, null, null), "program.rate_limit_set",
                "program", programId, new JsonObject().put("api_rate_limit", before.orElse(null)),
                new JsonObject().put("api_rate_limit", requests))));
  }
}
