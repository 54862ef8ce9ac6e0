package io.tracklane.cli;

import io.tracklane.domain.Currencies;
import io.tracklane.domain.InvalidInput;
import io.tracklane.domain.Secrets;
import io.tracklane.store.ApiKeyRepository;
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
    String apiKey = Secrets.generate("sk_");
    return pool.withTransaction(tx -> new ProgramRepository(pool)
        .create(tx, name.trim(), timeZone, currency, Secrets.hash(token), secret, fallbackUrl)
        .compose(programId -> new ApiKeyRepository(pool)
            .create(tx, programId, "admin", null, "first admin key", Secrets.displayPrefix(apiKey),
                Secrets.hash(apiKey))
            .map(keyId -> new JsonObject()
                .put("program_id", programId.toString())
                .put("name", name.trim())
                .put("time_zone", timeZone)
                .put("currency", currency)
                .put("postback_token", token)
                .put("postback_secret", secret)
                .put("api_key", apiKey))));
  }

  /** A new affiliate key for an affiliate of the program; the key is returned once. */
  public Future<String> createAffiliateKey(long programId, long affiliateId, String label) {
    String key = Secrets.generate("ak_");
    return new ApiKeyRepository(pool)
        .create(pool, programId, "affiliate", affiliateId, label, Secrets.displayPrefix(key), Secrets.hash(key))
        .map(id -> key);
  }
}
