package io.tracklane.firehose;

import io.tracklane.config.AppConfig.KafkaConfig;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes with acks=all from an idempotent producer. A send that the broker has not acknowledged
 * within the configured time fails with {@link TimeoutException}, which callers turn into a 503.
 */
public final class KafkaEventPublisher implements EventPublisher {
  private final KafkaProducer<String, byte[]> producer;
  private final long timeoutMs;

  public KafkaEventPublisher(KafkaProducer<String, byte[]> producer, long timeoutMs) {
    this.producer = producer;
    this.timeoutMs = timeoutMs;
  }

  /** One producer per Vert.x instance, shared by every verticle that publishes. */
  public static KafkaProducer<String, byte[]> sharedProducer(Vertx vertx, KafkaConfig kafka) {
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("acks", "all");
    props.put("enable.idempotence", "true");
    props.put("linger.ms", "2");
    props.put("compression.type", "lz4");
    props.put("max.block.ms", Integer.toString(kafka.produceTimeoutMs()));
    props.put("request.timeout.ms", Integer.toString(Math.max(kafka.produceTimeoutMs(), 1000)));
    props.put("delivery.timeout.ms", Integer.toString(Math.max(kafka.produceTimeoutMs() * 3, 5000)));
    props.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    props.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    return KafkaProducer.createShared(vertx, "tracklane-producer", props);
  }

  @Override
  public Future<Void> send(String topic, String key, String value) {
    return producer.send(KafkaProducerRecord.create(topic, key, value.getBytes(StandardCharsets.UTF_8)))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS).mapEmpty();
  }

  @Override
  public Future<Void> publish(String topic, CloudEvent event) {
    ProducerRecord<String, byte[]> record = CloudEventRecords.record(topic, event);
    KafkaProducerRecord<String, byte[]> out = KafkaProducerRecord.create(topic, record.key(), record.value());
    record.headers().forEach(h -> out.addHeader(h.key(), Buffer.buffer(h.value())));
    return producer.send(out).timeout(timeoutMs, TimeUnit.MILLISECONDS).mapEmpty();
  }

  /**
   * One hand-off to a worker thread for the whole batch. The Vert.x producer hands every record to
   * a worker and back; for clicks those thread wake-ups cost more CPU than the sends themselves
   * (docs/benchmarks.md). Must be called on a Vert.x context; completes on it.
   */
  @Override
  public Future<Void> publishAll(String topic, List<CloudEvent> events) {
    if (Vertx.currentContext() == null) {
      return EventPublisher.super.publishAll(topic, events);
    }
    return sendBatch(topic, events.stream().map(CloudEventRecords::encode).toList())
        .timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** Bounded by the producer's delivery.timeout.ms (three times the produce timeout, at least 5 s). */
  @Override
  public Future<Void> publishEncodedAcked(String topic, List<CloudEventRecords.Encoded> events) {
    return sendBatch(topic, events);
  }

  /** Must be called on a Vert.x context; completes on it. */
  private Future<Void> sendBatch(String topic, List<CloudEventRecords.Encoded> events) {
    Context context = Vertx.currentContext();
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    Producer<String, byte[]> kafka = producer.unwrap();
    Promise<Void> acked = Promise.promise();
    AtomicInteger left = new AtomicInteger(events.size());
    AtomicReference<Exception> failure = new AtomicReference<>();
    Callback callback = (metadata, error) -> {
      if (error != null) {
        failure.compareAndSet(null, error);
      }
      if (left.decrementAndGet() == 0) {
        context.runOnContext(v -> acked.handle(failure.get() == null ? Future.succeededFuture()
            : Future.failedFuture(failure.get())));
      }
    };
    return context.executeBlocking(() -> {
      for (CloudEventRecords.Encoded event : events) {
        if (failure.get() != null) {
          // The broker is failing this batch: do not wait max.block.ms again for each record left.
          callback.onCompletion(null, failure.get());
        } else {
          kafka.send(CloudEventRecords.record(topic, null, event), callback);
        }
      }
      return null;
    }, false).compose(v -> acked.future());
  }

  public Future<Void> close() {
    return producer.flush().eventually(() -> producer.close());
  }
}
