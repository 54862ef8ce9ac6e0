package io.tracklane.firehose;

import io.tracklane.config.AppConfig.KafkaConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes with acks=all from an idempotent producer. A send that the broker has not acknowledged
 * within the configured time fails with {@link TimeoutException}, which callers turn into a 503.
 */
public final class KafkaEventPublisher implements EventPublisher {
  private final KafkaProducer<String, String> producer;
  private final long timeoutMs;

  public KafkaEventPublisher(KafkaProducer<String, String> producer, long timeoutMs) {
    this.producer = producer;
    this.timeoutMs = timeoutMs;
  }

  /** One producer per Vert.x instance, shared by every verticle that publishes. */
  public static KafkaProducer<String, String> sharedProducer(Vertx vertx, KafkaConfig kafka) {
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
    props.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    return KafkaProducer.createShared(vertx, "tracklane-producer", props);
  }

  @Override
  public Future<Void> send(String topic, String key, String value) {
    return producer.send(KafkaProducerRecord.create(topic, key, value))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS).mapEmpty();
  }

  public Future<Void> close() {
    return producer.flush().eventually(() -> producer.close());
  }
}
