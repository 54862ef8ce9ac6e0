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
import io.vertx.sqlclient.SqlConnection;
import java.time.DateTimeException;
import java.time.ZoneId;

/** Creates a program with its postback credentials and first admin key; secrets are returned once. */
public final class ProgramAdmin {
  private final Pool pool;
  private final AuditLog audit;
  private final String command;

  public ProgramAdmin(Pool pool) {
    this(pool, "create-program");
  }

  /** @param command the command line's command, named in the audit log as who made the changes */
  public ProgramAdmin(Pool pool, String command) {
    this.pool = pool;
    this.audit = new AuditLog(pool);
    this.command = command;
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
    JsonObject program = new JsonObject().put("name", name.trim()).put("time_zone", timeZone)
        .put("currency", currency).put("fallback_url", fallbackUrl);
    return pool.withTransaction(tx -> new ProgramRepository(pool)
        .create(tx, name.trim(), timeZone, currency, Secrets.hash(token), secret, fallbackUrl)
        .compose(programId -> audit.record(tx, actor(programId), "program.created", "program", programId, null,
                program.copy().put("id", programId.toString()))
            .compose(v -> createKey(tx, programId, NewKey.of("admin", null, "first admin key")))
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
    return pool.withTransaction(tx -> createKey(tx, programId, NewKey.of(null, affiliateId, label)))
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
            : audit.record(tx, actor(programId), "program.rate_limit_set",
                "program", programId, new JsonObject().put("api_rate_limit", before.orElse(null)),
                new JsonObject().put("api_rate_limit", requests))));
  }

  /**
   * Sets the Domain of the program's click cookie ({@code shop.example} for an edge served as
   * track.shop.example); null: host-only. Edges apply it within their 30 s cache refresh.
   */
  public Future<Void> setCookieDomain(long programId, String domain) {
    String clean = domain == null ? null : io.tracklane.domain.Destinations.allowedDomain("domain", domain);
    return pool.withTransaction(tx -> new ProgramRepository(pool).setCookieDomain(tx, programId, clean)
        .compose(before -> before == null
            ? Future.failedFuture(new InvalidInput("program", programId + " does not exist"))
            : audit.record(tx, actor(programId), "program.cookie_domain_set",
                "program", programId, new JsonObject().put("cookie_domain", before.orElse(null)),
                new JsonObject().put("cookie_domain", clean))));
  }

  /** Who the audit log says made this tool's changes. */
  public AuditLog.Actor actor(long programId) {
    return AuditLog.Actor.commandLine(programId, command);
  }

  /** Stores the key's hash, audited without the secret. */
  private Future<Issued> createKey(SqlConnection tx, long programId, NewKey key) {
    return new ApiKeyRepository(pool).create(tx, programId, key)
        .compose(issued -> audit.record(tx, actor(programId), "api_key.created", "api_key", issued.id(), null,
            new JsonObject().put("id", Long.toString(issued.id()))
                .put("role", key.affiliateId() == null ? key.role() : "affiliate")
                .put("affiliate_id", key.affiliateId() == null ? null : key.affiliateId().toString())
                .put("label", key.label()).put("display_prefix", Secrets.displayPrefix(issued.secret())))
            .map(issued));
  }
}
