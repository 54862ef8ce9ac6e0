package io.tracklane.edge;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.concurrent.TimeUnit;

/**
 * Short-lived marks in Redis ("this was seen"), under the configured key prefix. Every call is
 * bounded in time; callers treat a failure as "unknown" and go on, so Redis never fails a request.
 */
final class RedisMarks {
  private final Redis redis;
  private final String prefix;
  private final long timeoutMs;

  RedisMarks(Redis redis, String prefix, long timeoutMs) {
    this.redis = redis;
    this.prefix = prefix;
    this.timeoutMs = timeoutMs;
  }

  /** True when this call set the mark, false when it was there already. */
  Future<Boolean> markFirst(String key, long ttlSeconds) {
    return redis.send(Request.cmd(Command.SET).arg(prefix + key).arg("1").arg("NX").arg("EX").arg(ttlSeconds))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS).map(response -> response != null);
  }

  Future<Boolean> exists(String key) {
    return redis.send(Request.cmd(Command.EXISTS).arg(prefix + key)).timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(response -> response != null && response.toInteger() > 0);
  }
}
