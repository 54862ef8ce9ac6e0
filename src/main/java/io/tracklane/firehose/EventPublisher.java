package io.tracklane.firehose;

import io.vertx.core.Future;
import java.util.List;

/** Sends records to a topic; the Future completes once the broker acknowledged them durably. */
public interface EventPublisher {

  /** A plain UTF-8 record (not a CloudEvent: the dead-letter topic). */
  Future<Void> send(String topic, String key, String value);

  /** The event as a CloudEvents Kafka record, built by {@link CloudEventRecords}. */
  Future<Void> publish(String topic, CloudEvent event);

  /** Publishes several events; the Future completes once all are acknowledged (fails if one is not). */
  default Future<Void> publishAll(String topic, List<CloudEvent> events) {
    return Future.all(events.stream().map(event -> publish(topic, event)).toList()).mapEmpty();
  }
}
