package io.tracklane.api;

import io.tracklane.store.ApiKeyRepository;
import io.tracklane.store.ApiKeyRepository.Usage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each key's last use and request count, gathered in memory on the request path and written off it
 * every {@code api.usage_flush_ms} in one statement for all keys (and once more on stop). One per
 * process, shared by every API verticle instance.
 */
public final class ApiKeyUsage extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyUsage.class);
  private static final io.tracklane.ops.QuietLog QUIET = new io.tracklane.ops.QuietLog(LOG);

  private final ApiKeyRepository keys;
  private final Clock clock;
  private final long flushMs;
  private final ConcurrentHashMap<Long, Usage> pending = new ConcurrentHashMap<>();
  private long timer = -1;
  private volatile Future<Integer> flushing = Future.succeededFuture(0);

  public ApiKeyUsage(ApiKeyRepository keys, Clock clock, long flushMs) {
    this.keys = keys;
    this.clock = clock;
    this.flushMs = flushMs;
  }

  /** One request of a key, now; safe from any thread. */
  public void record(long programId, long keyId) {
    add(new Usage(programId, keyId, 1, OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)));
  }

  /** Writes what was gathered; the number of keys written. A failed write keeps the counts for the next. */
  public Future<Integer> flush() {
    if (!flushing.isComplete()) {
      return flushing;
    }
    List<Usage> batch = new ArrayList<>();
    for (Long keyId : pending.keySet()) {
      Usage usage = pending.remove(keyId);
      if (usage != null) {
        batch.add(usage);
      }
    }
    if (batch.isEmpty()) {
      return Future.succeededFuture(0);
    }
    flushing = keys.recordUsage(batch).recover(e -> {
      QUIET.warn("key usage not written, counts kept for the next try", batch.size() + " keys: " + e);
      batch.forEach(this::add);
      return Future.succeededFuture(0);
    });
    return flushing;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(flushMs, id -> flush());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return flushing.transform(v -> flush());
  }

  private void add(Usage usage) {
    pending.merge(usage.keyId(), usage, (a, b) -> new Usage(a.programId(), a.keyId(), a.requests() + b.requests(),
        a.lastUsedAt().isAfter(b.lastUsedAt()) ? a.lastUsedAt() : b.lastUsedAt()));
  }
}
