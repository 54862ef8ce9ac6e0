package io.tracklane.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tracklane.edge.AsyncLookup;
import io.tracklane.edge.ChangeBridge;
import io.tracklane.store.ApiKeyRepository.ActiveKey;
import io.tracklane.store.ApiKeyRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Key lookups by hash, cached in process (found and not found alike), so an authenticated request
 * does not touch PostgreSQL and a flood of made-up keys costs one query per distinct key. A revoked
 * key is dropped here at once and on every other instance through the {@link ChangeBridge}; the
 * short time-to-live bounds how long it could still work on an instance that missed the message.
 * One per process, shared by every API verticle instance.
 */
public final class ApiKeyCache implements ChangeBridge.Listener {
  private static final String REVOKED = "api_key_revoked:";
  private static final long MAX_KEYS = 100_000;

  private final Vertx vertx;
  private final AsyncLookup<String, ActiveKey> byHash;

  public ApiKeyCache(Vertx vertx, ApiKeyRepository keys, Duration ttl, MeterRegistry registry) {
    this.vertx = vertx;
    Counter lookups = Counter.builder("tracklane_api_key_lookups_total")
        .description("API key lookups that went to PostgreSQL (cache misses)").register(registry);
    this.byHash = AsyncLookup.expiring(vertx, MAX_KEYS, ttl, hash -> {
      lookups.increment();
      return keys.findActive(hash);
    });
  }

  /** The unrevoked key with this hash, or null. */
  public Future<ActiveKey> find(String keyHash) {
    return byHash.get(keyHash);
  }

  /** Forgets a key just revoked, here and, through the change bridge, on every other instance. */
  public void revoked(String keyHash) {
    byHash.invalidate(keyHash);
    vertx.eventBus().publish(ChangeBridge.CHANGES_ADDRESS, REVOKED + keyHash);
  }

  @Override
  public void changed(String change) {
    if (change.startsWith(REVOKED)) {
      byHash.invalidate(change.substring(REVOKED.length()));
    }
  }

  @Override
  public void missed() {
    byHash.invalidateAll();
  }
}
