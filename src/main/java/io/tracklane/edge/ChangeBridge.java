package io.tracklane.edge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries changes between processes over Redis pub/sub, so every instance drops what it cached
 * within a second of a change made through any API instance: "links, campaigns or affiliates
 * changed" for the edge's caches, a revoked key for the API's key cache. Local changes arrive on the
 * event bus; they reach this process's listeners at once and are published; messages from the
 * channel reach the listeners too. A lost subscription tells the listeners they may have missed
 * changes, and is retried.
 */
public final class ChangeBridge extends VerticleBase {
  /** The event-bus address a process publishes its own changes on; the bridge carries them to the others. */
  public static final String CHANGES_ADDRESS = "tracklane.config.changed";
  /** The message published on {@link #CHANGES_ADDRESS} when stored configuration changed. */
  public static final String CONFIGURATION_CHANGED = "changed";
  private static final Logger LOG = LoggerFactory.getLogger(ChangeBridge.class);
  private static final long RETRY_MS = 1000;

  /** A process-local cache of something that changes announce. */
  public interface Listener {
    /** A change announced by any instance (this one's arrive twice: locally and from Redis). */
    void changed(String change);

    /** Changes may have been missed while the subscription was down: drop everything. */
    void missed();
  }

  private final Redis publisherClient;
  private final RedisOptions subscriberOptions;
  private final String channel;
  private final List<Listener> listeners;
  private Redis subscriberClient;
  private boolean stopped;

  /**
   * @param listeners the caches of this process; none in a process that only publishes
   */
  public ChangeBridge(Redis publisherClient, String redisUrl, String keyPrefix, List<Listener> listeners) {
    this.publisherClient = publisherClient;
    this.subscriberOptions = new RedisOptions().setConnectionString(redisUrl);
    this.channel = keyPrefix + "changes";
    this.listeners = List.copyOf(listeners);
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<String>consumer(CHANGES_ADDRESS, msg -> {
      listeners.forEach(l -> l.changed(msg.body()));
      publisherClient.send(Request.cmd(Command.PUBLISH).arg(channel).arg(msg.body()))
          .onFailure(e -> LOG.warn("change not published to other instances: {}", e.toString()));
    });
    if (listeners.isEmpty()) {
      return Future.succeededFuture();
    }
    subscriberClient = Redis.createClient(vertx, subscriberOptions);
    // Redis being down must not stop the instance: the caches still expire or refresh on their own.
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
      String change = message.get(2).toString();
      listeners.forEach(l -> l.changed(change));
    }
  }

  private void lost(RedisConnection conn, Throwable cause) {
    conn.close();
    listeners.forEach(Listener::missed);
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
