package io.tracklane.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tracklane.config.AppConfig.ApiConfig;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request limits counted in Redis, so they hold across every instance: requests per key, and failed
 * authentications per client address. Each count is one atomic script call (INCR, and PEXPIRE when
 * the count starts): a fixed window that opens with the first request and closes
 * {@code window_seconds} later. When Redis does not answer in time the request passes uncounted
 * (fail open) and {@code tracklane_rate_limit_fail_open_total} counts it.
 */
public final class RateLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
  private static final long LOG_EVERY_MS = 10_000;
  private static final Script COUNT = new Script("""
      local count = redis.call('INCR', KEYS[1])
      if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
      local ttl = redis.call('PTTL', KEYS[1])
      if ttl < 0 then
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        ttl = tonumber(ARGV[1])
      end
      return {count, ttl}""");
  private static final Script PEEK = new Script("""
      local count = redis.call('GET', KEYS[1])
      if not count then return {0, 0} end
      return {tonumber(count), redis.call('PTTL', KEYS[1])}""");

  /** Where one request leaves its key: the limit, what is left of it, seconds until the window closes. */
  public record Quota(int limit, long remaining, long resetSeconds, boolean exceeded) {
  }

  private final Redis redis;
  private final ApiConfig config;
  private final String keyPrefix;
  private final Counter failOpen;
  private final Counter overKeyLimit;
  private final Counter overFailureLimit;
  private final AtomicLong lastWarning = new AtomicLong();

  public RateLimiter(Redis redis, ApiConfig config, String redisKeyPrefix, MeterRegistry registry) {
    this.redis = redis;
    this.config = config;
    this.keyPrefix = redisKeyPrefix + "ratelimit:";
    this.failOpen = Counter.builder("tracklane_rate_limit_fail_open_total")
        .description("Rate-limit checks let through uncounted because Redis did not answer").register(registry);
    this.overKeyLimit = refused(registry, "key");
    this.overFailureLimit = refused(registry, "auth_failures");
  }

  /**
   * Counts one request of a key against {@code ownLimit} (the key's or its program's; null: the
   * configured default). Null when Redis could not count it: the request passes.
   */
  public Future<Quota> countRequest(long keyId, Integer ownLimit) {
    int limit = ownLimit == null ? config.rateLimitRequests() : ownLimit;
    return call(COUNT, "key:" + keyId, config.rateLimitWindowSeconds()).map(counted -> {
      if (counted == null) {
        return null;
      }
      boolean exceeded = counted[0] > limit;
      if (exceeded) {
        overKeyLimit.increment();
      }
      return new Quota(limit, Math.max(0, limit - counted[0]), seconds(counted[1]), exceeded);
    });
  }

  /** Seconds until {@code address} may try again; 0 while it is under the failed-authentication limit. */
  public Future<Long> blockedSeconds(String address) {
    return call(PEEK, "auth_failures:" + address, config.authFailureWindowSeconds()).map(counted -> {
      if (counted == null || counted[0] < config.authFailureLimit()) {
        return 0L;
      }
      overFailureLimit.increment();
      return Math.max(1, seconds(counted[1]));
    });
  }

  /** Counts a failed authentication from {@code address}. */
  public Future<Void> countFailure(String address) {
    return call(COUNT, "auth_failures:" + address, config.authFailureWindowSeconds()).mapEmpty();
  }

  /** {count, milliseconds left}, or null when Redis failed (counted, never failing the request). */
  private Future<long[]> call(Script script, String key, int windowSeconds) {
    return script.run(redis, keyPrefix + key, windowSeconds * 1000L)
        .timeout(config.redisTimeoutMs(), TimeUnit.MILLISECONDS)
        .map(r -> new long[] {r.get(0).toLong(), r.get(1).toLong()})
        .recover(e -> {
          failOpen.increment();
          long now = System.currentTimeMillis();
          long last = lastWarning.get();
          if (now - last > LOG_EVERY_MS && lastWarning.compareAndSet(last, now)) {
            LOG.warn("rate limits not counted, letting requests through: {}", e.toString());
          }
          return Future.succeededFuture(null);
        });
  }

  private static long seconds(long millis) {
    return (Math.max(0, millis) + 999) / 1000;
  }

  private static Counter refused(MeterRegistry registry, String limit) {
    return Counter.builder("tracklane_rate_limited_total").tag("limit", limit)
        .description("API requests answered 429, by the limit they were over").register(registry);
  }

  /** A Lua script called by its SHA-1, loaded with EVAL the first time a Redis does not know it. */
  private record Script(String source, String sha) {
    Script(String source) {
      this(source, sha1(source));
    }

    Future<Response> run(Redis redis, String key, long arg) {
      return redis.send(Request.cmd(Command.EVALSHA).arg(sha).arg(1).arg(key).arg(arg)).recover(e ->
          String.valueOf(e.getMessage()).startsWith("NOSCRIPT")
              ? redis.send(Request.cmd(Command.EVAL).arg(source).arg(1).arg(key).arg(arg))
              : Future.failedFuture(e));
    }

    private static String sha1(String text) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
            .digest(text.getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-1 unavailable", e);
      }
    }
  }
}
