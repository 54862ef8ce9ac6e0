package io.tracklane.edge;

import io.tracklane.api.ApiVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries "links, campaigns or affiliates changed" between processes over Redis pub/sub, so every
 * edge drops its caches within a second of a change made through any API instance. Local changes
 * arrive on the event bus and are published; messages from the channel clear this process's caches.
 * A lost subscription clears the caches too (a message may have been missed) and is retried.
 */
public final class ChangeBridge extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeBridge.class);
  private static final long RETRY_MS = 1000;

  private final Redis publisherClient;
  private final RedisOptions subscriberOptions;
  private final String channel;
  private final EdgeLookups lookups;
  private Redis subscriberClient;
  private boolean stopped;

  /**
   * @param lookups the caches to clear on a change; null in a process without the edge role
   */
  public ChangeBridge(Redis publisherClient, String redisUrl, String keyPrefix, EdgeLookups lookups) {
    this.publisherClient = publisherClient;
    this.subscriberOptions = new RedisOptions().setConnectionString(redisUrl);
    this.channel = keyPrefix + "changes";
    this.lookups = lookups;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().consumer(ApiVerticle.CHANGES_ADDRESS, msg -> publisherClient
        .send(Request.cmd(Command.PUBLISH).arg(channel).arg("changed"))
        .onFailure(e -> LOG.warn("change not published to other instances: {}", e.toString())));
    if (lookups == null) {
      return Future.succeededFuture();
    }
    subscriberClient = Redis.createClient(vertx, subscriberOptions);
    // Redis being down must not stop the edge: the caches still refresh on their own within 30 s.
    return subscribe().recover(e -> {
      retryLater(e);
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (subscriberClient != null) {
      subscriberClient.close();
    }
    return Future.succeededFuture();
  }

  private Future<Void> subscribe() {
    return subscriberClient.connect().compose(conn -> {
      conn.handler(this::onMessage);
      conn.exceptionHandler(e -> lost(conn, e));
      conn.endHandler(v -> lost(conn, null));
      return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).mapEmpty();
      // A Redis that accepts connections but never answers must not hold up the start either.
    }).timeout(RETRY_MS * 2, TimeUnit.MILLISECONDS).mapEmpty();
  }

  private void onMessage(Response message) {
    if (message.size() >= 3 && "message".equals(message.get(0).toString())
        && channel.equals(message.get(1).toString())) {
      lookups.invalidateAll();
    }
  }

  private void lost(RedisConnection conn, Throwable cause) {
    conn.close();
    lookups.invalidateAll();
    if (!stopped) {
      retryLater(cause);
    }
  }

  private void retryLater(Throwable cause) {
    LOG.warn("change subscription lost, retrying: {}", cause == null ? "connection closed" : cause.toString());
    vertx.setTimer(RETRY_MS, id -> {
      if (!stopped) {
        subscribe().onFailure(this::retryLater);
      }
    });
  }
}
