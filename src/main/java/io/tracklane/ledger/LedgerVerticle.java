package io.tracklane.ledger;

import io.tracklane.config.AppConfig;
import io.tracklane.domain.InvalidInput;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventPublisher;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.tracklane.ops.QuietLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes raw facts in batches: apply in one transaction, then commit offsets, then relay the
 * derived events. A failed batch is rolled back, the partitions are rewound and it is retried with
 * backoff; a record that cannot even be parsed goes to the dead-letter topic with the reason.
 */
public final class LedgerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerVerticle.class);
  /** A dependency that comes back is used again within this (PostgreSQL, Kafka). */
  private static final long MAX_BACKOFF_MS = 2_000;
  private static final QuietLog QUIET = new QuietLog(LOG);
  private static final java.util.concurrent.atomic.AtomicInteger CONSUMERS = new java.util.concurrent.atomic.AtomicInteger();
  /** How many times a batch fails on its data before its facts are applied one at a time. */
  private static final int ISOLATE_AFTER_ATTEMPTS = 3;

  private final AppConfig config;
  private final LedgerWriter writer;
  private final OutboxRelay relay;
  private final EventPublisher publisher;
  private final LedgerMetrics metrics;
  private KafkaConsumer<String, String> consumer;
  private volatile boolean stopping;
  private Promise<Void> loopDone;
  private long backoffMs;
  private int failedAttempts;

  public LedgerVerticle(AppConfig config, LedgerWriter writer, OutboxRelay relay, EventPublisher publisher,
      LedgerMetrics metrics) {
    this.config = config;
    this.writer = writer;
    this.relay = relay;
    this.publisher = publisher;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", config.kafka().bootstrapServers());
    props.put("group.id", config.kafka().consumerGroup());
    // Names the process in the group's description (kafka-consumer-groups --describe, the failover test).
    props.put("client.id", "tracklane-ledger-" + ProcessHandle.current().pid() + "-" + CONSUMERS.incrementAndGet());
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", "earliest");
    props.put("max.poll.records", Integer.toString(config.ledger().batchMax()));
    props.put("isolation.level", "read_committed");
    // Failover in seconds: a dead ledger is noticed after the session timeout, and the survivors
    // keep their partitions (and keep writing) while the dead one's move (incremental rebalance).
    props.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    props.put("session.timeout.ms", Integer.toString(config.ledger().sessionTimeoutMs()));
    props.put("heartbeat.interval.ms", Integer.toString(Math.max(100, config.ledger().sessionTimeoutMs() / 3)));
    props.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    props.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    consumer = KafkaConsumer.create(vertx, props);
    consumer.exceptionHandler(e -> QUIET.warn("ledger consumer failed", e));
    loopDone = Promise.promise();
    return consumer.subscribe(config.kafka().topicFacts()).onSuccess(v -> loop());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    return loopDone.future().eventually(() -> consumer.close());
  }

  private void loop() {
    if (stopping) {
      loopDone.tryComplete();
      return;
    }
    consumer.poll(Duration.ofMillis(config.ledger().pollTimeoutMs()))
        .compose(this::process)
        .onSuccess(v -> {
          backoffMs = 0;
          loop();
        })
        .onFailure(e -> {
          metrics.batchFailures.increment();
          backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs == 0 ? 200 : backoffMs * 2);
          if (PoisonFacts.isBug(e)) {
            // Never dead-lettered: the facts are fine, the code is not. Retried until a fixed ledger runs.
            metrics.bugFailures.increment();
            LOG.error("ledger batch failed on a programming error, retrying in {} ms", backoffMs, e);
            vertx.setTimer(backoffMs, id -> loop());
            return;
          }
          QUIET.warn("ledger batch failed, retried with backoff up to " + MAX_BACKOFF_MS + " ms", e);
          vertx.setTimer(backoffMs, id -> loop());
        });
  }

  private Future<Void> process(KafkaConsumerRecords<String, String> records) {
    if (records.isEmpty()) {
      return Future.succeededFuture();
    }
    List<CloudEvent> events = new ArrayList<>(records.size());
    List<KafkaConsumerRecord<String, String>> sources = new ArrayList<>(records.size());
    List<Future<Void>> deadLetters = new ArrayList<>();
    Map<TopicPartition, Long> first = new LinkedHashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, String> record = records.recordAt(i);
      oldest = Math.min(oldest, record.timestamp());
      TopicPartition tp = new TopicPartition(record.topic(), record.partition());
      first.putIfAbsent(tp, record.offset());
      next.put(tp, new OffsetAndMetadata(record.offset() + 1, ""));
      try {
        CloudEvent event = CloudEvent.decode(record.value());
        FactShape.check(event);
        events.add(event);
        sources.add(record);
      } catch (IllegalArgumentException | InvalidInput e) {
        deadLetters.add(deadLetter(record, e.getMessage()));
      }
    }
    long oldestTimestamp = oldest;
    return Future.all(deadLetters)
        .compose(v -> writer.apply(events).recover(e -> isolate(e, events, sources)))
        .compose(v -> consumer.commit(next))
        .<Void>mapEmpty()
        .onSuccess(v -> {
          failedAttempts = 0;
          metrics.batchCommitted(oldestTimestamp);
          relay.flush().onFailure(e -> QUIET.warn("outbox relay failed (retried by the sweep)", e));
        })
        .recover(e -> {
          failedAttempts++;
          return rewind(first).compose(v -> Future.failedFuture(e));
        });
  }

  /**
   * A batch that keeps failing on its data (not on a dependency) is applied one fact at a time, and
   * the fact that fails goes to the dead-letter topic with the reason: one poison fact must not stop
   * its partition forever. The first failures are retried whole, since a conflict between two ledger
   * instances looks the same and passes on retry.
   */
  private Future<Void> isolate(Throwable failure, List<CloudEvent> events,
      List<KafkaConsumerRecord<String, String>> sources) {
    if (!PoisonFacts.isDataError(failure) || failedAttempts + 1 < ISOLATE_AFTER_ATTEMPTS) {
      return Future.failedFuture(failure);
    }
    LOG.warn("batch failed {} times on its data, applying its {} facts one at a time: {}", failedAttempts + 1,
        events.size(), failure.toString());
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < events.size(); i++) {
      CloudEvent event = events.get(i);
      KafkaConsumerRecord<String, String> source = sources.get(i);
      chain = chain.compose(v -> writer.apply(List.of(event)).recover(e -> PoisonFacts.isDataError(e)
          ? deadLetter(source, "could not be written: " + e.getMessage())
          : Future.failedFuture(e)));
    }
    return chain;
  }

  /** Puts the consumer back at the start of the failed batch, so nothing in it is skipped. */
  private Future<Void> rewind(Map<TopicPartition, Long> first) {
    List<Future<Void>> seeks = new ArrayList<>();
    first.forEach((tp, offset) -> seeks.add(consumer.seek(tp, offset)));
    return Future.all(seeks).mapEmpty();
  }

  private Future<Void> deadLetter(KafkaConsumerRecord<String, String> record, String reason) {
    metrics.deadLetters.increment();
    JsonObject letter = new JsonObject().put("reason", reason).put("topic", record.topic())
        .put("partition", record.partition()).put("offset", record.offset()).put("key", record.key())
        .put("value", record.value());
    return publisher.send(config.kafka().topicDeadLetter(), record.key(), letter.encode());
  }
}
