package io.tracklane.edge;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * A bounded in-process cache in front of an asynchronous lookup, so hot paths touch no database per
 * request. Absent values are cached too (briefly), so a flood of unknown codes does not reach the database.
 */
public final class AsyncLookup<K, V> {
  private final Vertx vertx;
  private final AsyncLoadingCache<K, Optional<V>> cache;

  public AsyncLookup(Vertx vertx, long maxSize, Duration refreshAfter, Function<K, Future<V>> loader) {
    this.vertx = vertx;
    this.cache = Caffeine.newBuilder()
        .maximumSize(maxSize)
        .refreshAfterWrite(refreshAfter)
        .expireAfterWrite(refreshAfter.multipliedBy(10))
        .buildAsync((key, executor) -> loader.apply(key).map(Optional::ofNullable)
            .toCompletionStage().toCompletableFuture());
  }

  /** The value, or null when the loader found none; completes on the caller's context. */
  public Future<V> get(K key) {
    return Future.fromCompletionStage(cache.get(key), vertx.getOrCreateContext()).map(found -> found.orElse(null));
  }

  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }
}
