package io.tracklane.stats;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-program stats version in Redis ({prefix}stats:v:{program}): bumped after every commit that
 * changed a program's figures, so {@link StatsCache} stops reading answers cached before. A bump that
 * fails (Redis down) is kept and retried every second until it succeeds; meanwhile the cache answers
 * from PostgreSQL, since Redis does not answer it either.
 */
public final class StatsVersions {
  private static final Logger LOG = LoggerFactory.getLogger(StatsVersions.class);
  private static final long RETRY_MS = 1000;
  private final Redis redis;
  private final String prefix;
  private final Set<Long> pending = ConcurrentHashMap.newKeySet();

  public StatsVersions(Vertx vertx, Redis redis, String keyPrefix) {
    this.redis = redis;
    this.prefix = keyPrefix;
    vertx.setPeriodic(RETRY_MS, id -> {
      if (!pending.isEmpty()) {
        List<Long> retry = new ArrayList<>(pending);
        pending.removeAll(retry);
        bump(retry);
      }
    });
  }

  static String key(String prefix, long programId) {
    return prefix + "stats:v:" + programId;
  }

  /** Bumps the versions of the programs (best effort now, retried until done). */
  public Future<Void> bump(Collection<Long> programIds) {
    if (programIds.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> incr = new ArrayList<>(programIds.size());
    programIds.forEach(p -> incr.add(Request.cmd(Command.INCR).arg(key(prefix, p))));
    return redis.batch(incr).timeout(5, TimeUnit.SECONDS).<Void>mapEmpty().recover(e -> {
      pending.addAll(programIds);
      LOG.warn("stats versions of {} not bumped yet, retrying: {}", programIds, e.toString());
      return Future.succeededFuture();
    });
  }
}
