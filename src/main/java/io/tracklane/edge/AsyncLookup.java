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

  /** Entries are reloaded in the background after {@code refreshAfter}, served stale meanwhile. */
  public AsyncLookup(Vertx vertx, long maxSize, Duration refreshAfter, Function<K, Future<V>> loader) {
    this(vertx, Caffeine.newBuilder().maximumSize(maxSize).refreshAfterWrite(refreshAfter)
        .expireAfterWrite(refreshAfter.multipliedBy(10)), loader);
  }

  private AsyncLookup(Vertx vertx, Caffeine<Object, Object> builder, Function<K, Future<V>> loader) {
    this.vertx = vertx;
    this.cache = builder.buildAsync((key, executor) -> loader.apply(key).map(Optional::ofNullable)
        .toCompletionStage().toCompletableFuture());
  }

  /** Entries are never served older than {@code ttl}: for answers that must not stay stale, such as a key's. */
  public static <K, V> AsyncLookup<K, V> expiring(Vertx vertx, long maxSize, Duration ttl,
      Function<K, Future<V>> loader) {
    return new AsyncLookup<>(vertx, Caffeine.newBuilder().maximumSize(maxSize).expireAfterWrite(ttl), loader);
  }

  /** The value, or null when the loader found none; completes on the caller's context. */
  public Future<V> get(K key) {
    return Future.fromCompletionStage(cache.get(key), vertx.getOrCreateContext()).map(found -> found.orElse(null));
  }

  public void invalidate(K key) {
    cache.synchronous().invalidate(key);
  }

  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }
}
