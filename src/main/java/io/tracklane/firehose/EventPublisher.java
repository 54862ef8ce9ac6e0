package io.tracklane.firehose;

import io.vertx.core.Future;
import java.util.List;

/** Sends records to a topic; the Future completes once the broker acknowledged them durably. */
public interface EventPublisher {

  /** A plain UTF-8 record (not a CloudEvent: the dead-letter topic). */
  Future<Void> send(String topic, String key, String value);

  /** The event as a CloudEvents Kafka record, built by {@link CloudEventRecords}. */
  Future<Void> publish(String topic, CloudEvent event);

  /**
   * Events already encoded ({@link CloudEventRecords#structured}), in order; like {@link #publishAll}
   * but waits for the broker's answer to every record however long the producer's own delivery
   * timeout lets it take, instead of giving up early while the records may still be delivered: the
   * outbox relay, whose give-up means sending the batch again.
   */
  Future<Void> publishEncodedAcked(String topic, List<CloudEventRecords.Encoded> events);

  /** Publishes several events; the Future completes once all are acknowledged (fails if one is not). */
  default Future<Void> publishAll(String topic, List<CloudEvent> events) {
    return Future.all(events.stream().map(event -> publish(topic, event)).toList()).mapEmpty();
  }
}
