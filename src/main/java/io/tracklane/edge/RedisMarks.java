package io.tracklane.edge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.tracklane.ops.QuietLog;
import io.vertx.core.Future;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Short-lived marks in Redis ("this was seen"), under the configured key prefix. Every call is
 * bounded in time and never fails: when Redis is down, slow or its pool is full, a unique-visitor
 * mark is answered at once from an in-process copy of the marks this process set (bounded, expiring
 * with their TTL) and a postback mark as "unknown" (the ledger dedupes); each fallback is counted in {@code tracklane_redis_fallbacks_total{reason}} and logged once per interval.
 */
final class RedisMarks {
  private static final Logger LOG = LoggerFactory.getLogger(RedisMarks.class);
  private static final QuietLog QUIET = new QuietLog(LOG);
  /** Marks kept in process, per key prefix (one per engine), shared by the edge's event loops. */
  private static final int LOCAL_MAX = 200_000;
  private static final Map<String, Cache<String, Long>> LOCAL = new ConcurrentHashMap<>();

  private final Redis redis;
  private final String prefix;
  private final long timeoutMs;
  private final EdgeMetrics metrics;
  private final Cache<String, Long> local;

  RedisMarks(Redis redis, String prefix, long timeoutMs, EdgeMetrics metrics) {
    this.redis = redis;
    this.prefix = prefix;
    this.timeoutMs = timeoutMs;
    this.metrics = metrics;
    this.local = LOCAL.computeIfAbsent(prefix, p -> Caffeine.newBuilder().maximumSize(LOCAL_MAX)
        .expireAfter(new Expiry<String, Long>() {
          @Override
          public long expireAfterCreate(String key, Long ttlSeconds, long now) {
            return TimeUnit.SECONDS.toNanos(ttlSeconds);
          }

          @Override
          public long expireAfterUpdate(String key, Long ttlSeconds, long now, long left) {
            return left;
          }

          @Override
          public long expireAfterRead(String key, Long ttlSeconds, long now, long left) {
            return left;
          }
        }).build());
  }

  /**
   * True when this call set the mark, false when it was there already: in Redis (any process) or in
   * this process's copy (which survives a Redis restart or flush). Without Redis, this process's copy.
   */
  Future<Boolean> markFirst(String key, long ttlSeconds) {
    boolean firstHere = local.asMap().putIfAbsent(key, ttlSeconds) == null;
    return redis.send(Request.cmd(Command.SET).arg(prefix + key).arg("1").arg("NX").arg("EX").arg(ttlSeconds))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS).map(response -> response != null && firstHere)
        .recover(e -> fallback(e, firstHere));
  }

  /**
   * Whether the mark is in Redis; false when Redis does not answer. Not the in-process copy: the
   * ledger deletes a rejected postback's mark in Redis so its resend goes through, and "unknown" is
   * always safe here (the ledger dedupes every fact).
   */
  Future<Boolean> exists(String key) {
    return redis.send(Request.cmd(Command.EXISTS).arg(prefix + key)).timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(response -> response != null && response.toInteger() > 0)
        .recover(e -> fallback(e, false));
  }

  private Future<Boolean> fallback(Throwable failure, boolean answer) {
    String reason = failure instanceof ConnectionPoolTooBusyException ? "pool_full"
        : failure instanceof TimeoutException ? "timeout" : "unavailable";
    metrics.redisFallback(reason);
    QUIET.warn("Redis did not answer (" + reason + "), answered from the in-process marks", failure.toString());
    return Future.succeededFuture(answer);
  }
}
