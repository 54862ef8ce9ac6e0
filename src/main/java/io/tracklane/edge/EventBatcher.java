package io.tracklane.edge;

import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventPublisher;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the facts one edge verticle produces while its event loop is busy and publishes them
 * together at the end of the burst. Under load a burst holds tens of facts, and the publisher's
 * per-call cost (a hand-off to a worker thread and back) is paid once for all of them. Each fact's
 * Future completes with its batch: a postback answers 200 only once the whole batch is acked.
 */
final class EventBatcher {
  private static final int MAX_BATCH = 500;

  private final Context context;
  private final EventPublisher publisher;
  private final String topic;
  private List<CloudEvent> batch = new ArrayList<>();
  private Promise<Void> published = Promise.promise();

  EventBatcher(Context context, EventPublisher publisher, String topic) {
    this.context = context;
    this.publisher = publisher;
    this.topic = topic;
  }

  /** Queues the event; the Future completes when its batch is acknowledged. Call on the context. */
  Future<Void> add(CloudEvent event) {
    if (batch.isEmpty()) {
      // Runs after the tasks already queued on this event loop: the rest of the current burst.
      context.runOnContext(v -> flush());
    }
    batch.add(event);
    Future<Void> result = published.future();
    if (batch.size() >= MAX_BATCH) {
      flush();
    }
    return result;
  }

  private void flush() {
    if (batch.isEmpty()) {
      return;
    }
    List<CloudEvent> events = batch;
    Promise<Void> promise = published;
    batch = new ArrayList<>();
    published = Promise.promise();
    publisher.publishAll(topic, events).onComplete(promise);
  }
}
