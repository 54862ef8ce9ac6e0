package io.tracklane.firehose;

import io.vertx.core.Future;

/** Sends records to a topic; the Future completes once the broker acknowledged them durably. */
public interface EventPublisher {

  Future<Void> send(String topic, String key, String value);

  default Future<Void> publish(String topic, CloudEvent event) {
    return send(topic, event.kafkaKey(), event.encode());
  }
}
