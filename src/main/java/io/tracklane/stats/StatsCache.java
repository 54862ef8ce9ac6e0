package io.tracklane.stats;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers cached in Redis by (program, endpoint, parameters), under the program's stats version
 * ({@link StatsVersions}): the ledger bumps it after each commit that changed the program's figures,
 * so a cached answer is never read after a change (its key names the old version) and ages out by
 * its TTL. One round trip reads the version and the answer (a Lua script).
 *
 * <p>A miss computes the answer from PostgreSQL once per process for concurrent callers of the same
 * key (single flight) and stores it. Redis emptied: every key misses and is refilled with the same
 * answer. Redis down or slow: the answer is computed from PostgreSQL ({@code
 * tracklane_stats_cache_requests_total{result="unavailable"}} counts it); nothing is stored.
 */
public final class StatsCache {
  private static final Logger LOG = LoggerFactory.getLogger(StatsCache.class);
  private static final long LOG_EVERY_MS = 10_000;
  /** KEYS[1] the version key; ARGV[1] the answer key's prefix, ARGV[2] its suffix: {version, answer}. */
  private static final String READ = """
      local v = redis.call('GET', KEYS[1]) or '0'
      return {v, redis.call('GET', ARGV[1] .. v .. ARGV[2])}""";
  private static final String READ_SHA = sha1(READ);

  private final Vertx vertx;
  private final Redis redis;
  private final String prefix;
  private final int ttlSeconds;
  private final int timeoutMs;
  private final Map<String, Future<JsonObject>> inFlight = new ConcurrentHashMap<>();
  private final Counter hits;
  private final Counter misses;
  private final Counter unavailable;
  private final Counter computed;
  private final AtomicLong lastWarning = new AtomicLong();
  private final StatsVersions versions;

  /**
   * @param keyPrefix the engine's Redis key prefix
   * @param ttlSeconds how long an answer is kept at most (versions make it stale-proof; this frees memory)
   * @param timeoutMs how long Redis is waited for before answering from PostgreSQL
   */
  public StatsCache(Vertx vertx, Redis redis, String keyPrefix, int ttlSeconds, int timeoutMs,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.redis = redis;
    this.prefix = keyPrefix;
    this.ttlSeconds = ttlSeconds;
    this.timeoutMs = timeoutMs;
    this.versions = new StatsVersions(vertx, redis, keyPrefix);
    this.hits = result(registry, "hit");
    this.misses = result(registry, "miss");
    this.unavailable = result(registry, "unavailable");
    this.computed = Counter.builder("tracklane_stats_cache_computed_total")
        .description("Stats answers computed from PostgreSQL (once per key for concurrent misses)")
        .register(registry);
  }

  /**
   * The answer of {@code endpoint} with {@code params} for the program: from Redis when cached under
   * the program's current version, else {@code compute}d (once for concurrent callers) and stored.
   *
   * @param endpoint a short stable name ("analytics", "affiliate_dashboard_summary", ...)
   * @param params every parameter the answer depends on, in a canonical text (include the affiliate
   *     id for affiliate-scoped answers, and the day when the answer depends on "today")
   */
  public Future<JsonObject> get(long programId, String endpoint, String params, Supplier<Future<JsonObject>> compute) {
    return answer(programId, endpoint, params, compute)
        .map(found -> found instanceof Buffer bytes ? new JsonObject(bytes) : (JsonObject) found);
  }

  /**
   * As {@link #get}, encoded: a cached answer is handed on as Redis gave it, never parsed and
   * written again (on a hit that was most of the request's time). For answers sent as they are.
   */
  public Future<Buffer> getEncoded(long programId, String endpoint, String params,
      Supplier<Future<JsonObject>> compute) {
    return answer(programId, endpoint, params, compute)
        .map(found -> found instanceof Buffer bytes ? bytes : ((JsonObject) found).toBuffer());
  }

  /** The cached answer's bytes (a {@link Buffer}), or the computed answer (a {@link JsonObject}). */
  private Future<Object> answer(long programId, String endpoint, String params, Supplier<Future<JsonObject>> compute) {
    String suffix = ":" + endpoint + ":" + digest(params);
    String answerPrefix = prefix + "stats:a:" + programId + ":";
    Request read = Request.cmd(Command.EVALSHA).arg(READ_SHA).arg(1).arg(StatsVersions.key(prefix, programId))
        .arg(answerPrefix).arg(suffix);
    Future<Response> sent = redis.send(read).recover(e -> String.valueOf(e.getMessage()).startsWith("NOSCRIPT")
        ? redis.send(Request.cmd(Command.EVAL).arg(READ).arg(1).arg(StatsVersions.key(prefix, programId))
            .arg(answerPrefix).arg(suffix))
        : Future.failedFuture(e));
    return sent.timeout(timeoutMs, TimeUnit.MILLISECONDS).transform(ar -> {
      if (ar.failed()) {
        unavailable.increment();
        warn(ar.cause());
        return once("down:" + programId + suffix, compute).map(Object.class::cast);
      }
      Response r = ar.result();
      String version = r.get(0).toString();
      Response cached = r.size() > 1 ? r.get(1) : null;
      if (cached != null) {
        hits.increment();
        return Future.succeededFuture(cached.toBuffer());
      }
      misses.increment();
      String key = answerPrefix + version + suffix;
      return once(key, () -> compute.get().onSuccess(answer -> store(key, answer))).map(Object.class::cast);
    });
  }

  /**
   * Makes every cached answer of the program stale (bumps its version): for changes made outside
   * the ledger, such as an owner's commission status change or a renamed campaign.
   */
  public Future<Void> invalidate(long programId) {
    return versions.bump(java.util.List.of(programId));
  }

  /** Runs {@code compute} once for concurrent callers of {@code key}; each caller continues on its own context. */
  private Future<JsonObject> once(String key, Supplier<Future<JsonObject>> compute) {
    Promise<JsonObject> mine = Promise.promise();
    Future<JsonObject> shared = inFlight.computeIfAbsent(key, k -> {
      Promise<JsonObject> p = Promise.promise();
      computed.increment();
      try {
        compute.get().onComplete(p);
      } catch (RuntimeException e) {
        p.fail(e);
      }
      return p.future();
    });
    shared.onComplete(ar -> inFlight.remove(key, shared));
    Context caller = vertx.getOrCreateContext();
    shared.onComplete(ar -> {
      if (Vertx.currentContext() == caller) {
        mine.handle(ar);
      } else {
        caller.runOnContext(v -> mine.handle(ar));
      }
    });
    return mine.future();
  }

  private void store(String key, JsonObject answer) {
    redis.send(Request.cmd(Command.SET).arg(key).arg(answer.toBuffer()).arg("EX").arg(ttlSeconds))
        .onFailure(this::warn);
  }

  private void warn(Throwable e) {
    long now = System.currentTimeMillis();
    long last = lastWarning.get();
    if (now - last > LOG_EVERY_MS && lastWarning.compareAndSet(last, now)) {
      LOG.warn("stats cache unavailable, answering from PostgreSQL: {}", e.toString());
    }
  }

  private static Counter result(MeterRegistry registry, String result) {
    return Counter.builder("tracklane_stats_cache_requests_total").tag("result", result)
        .description("Stats answers asked of the cache, by outcome (unavailable: Redis down or slow, "
            + "answered from PostgreSQL)")
        .register(registry);
  }

  private static String digest(String params) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(params.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
