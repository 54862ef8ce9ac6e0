package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cloudevents.kafka.KafkaMessageFactory;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.CloudEventRecords;
import io.tracklane.firehose.EventPublisher;
import io.tracklane.testing.TestEngine;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two relays (two sweep verticles, each on its own event loop, with a publisher that stalls at
 * random) drain an outbox that keeps growing with interleaved programs: every program's events
 * reach the topic once each, in outbox order.
 */
@Timeout(180)
class OutboxOrderTest {
  private static final int PROGRAMS = 4;
  private static final int PER_PROGRAM = 1500;
  private static final int CHUNK = 60;

  @Test
  void twoRelaysKeepEveryProgramsEventsInOrder() {
    try (TestEngine engine = TestEngine.start(OutboxOrderTest.class, Map.of("roles", "api",
        "ledger.outbox_sweep_ms", "600000"))) {
      Vertx vertx = engine.vertx();
      String topic = engine.config().kafka().topicChanges();
      EventPublisher stalling = new StallingPublisher(vertx, engine.engine().publisher());
      TestEngine.await(vertx.deployVerticle(new OutboxSweepVerticle(
          new OutboxRelay(engine.engine().pool(), stalling, topic, 40), 3)));
      TestEngine.await(vertx.deployVerticle(new OutboxSweepVerticle(
          new OutboxRelay(engine.engine().pool(), stalling, topic, 40), 3)));

      Outbox outbox = new Outbox();
      long base = ThreadLocalRandom.current().nextLong(1_000_000, 1_000_000_000);
      int[] next = new int[PROGRAMS];
      int written = 0;
      while (written < PROGRAMS * PER_PROGRAM) {
        List<Outbox.Event> chunk = new ArrayList<>();
        for (int i = 0; i < CHUNK; i++) {
          int p = ThreadLocalRandom.current().nextInt(PROGRAMS);
          if (next[p] == PER_PROGRAM) {
            continue;
          }
          chunk.add(new Outbox.Event(base + p, Instant.now(), "tracklane.payout.paid.v1", "order:" + next[p],
              new JsonObject().put("seq", next[p])));
          next[p]++;
        }
        written += chunk.size();
        TestEngine.await(engine.engine().pool().withTransaction(tx -> outbox.emitAll(tx, chunk)));
      }

      Map<Long, List<Integer>> seen = read(engine, topic, base, Duration.ofSeconds(90));
      for (int p = 0; p < PROGRAMS; p++) {
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < PER_PROGRAM; i++) {
          expected.add(i);
        }
        assertEquals(expected, seen.get(base + p), "program " + (base + p) + " in outbox order, each once");
      }
      long left = TestEngine.await(engine.engine().pool().query("SELECT count(*) FROM outbox").execute())
          .iterator().next().getLong(0);
      assertEquals(0, left);
    }
  }

  /** The seq of every event per program, read with the CloudEvents SDK, until all arrived or the time is up. */
  private static Map<Long, List<Integer>> read(TestEngine engine, String topic, long base, Duration timeout) {
    Properties props = new Properties();
    props.put("bootstrap.servers", engine.config().kafka().bootstrapServers());
    props.put("group.id", "order-" + UUID.randomUUID());
    props.put("auto.offset.reset", "earliest");
    Map<Long, List<Integer>> seen = new HashMap<>();
    int total = 0;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (total < PROGRAMS * PER_PROGRAM && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          CloudEvent event = CloudEventRecords.fromSdk(KafkaMessageFactory.createReader(r).toEvent());
          if (event.programId() >= base && event.programId() < base + PROGRAMS) {
            seen.computeIfAbsent(event.programId(), k -> new ArrayList<>()).add(event.data().getInteger("seq"));
            total++;
          }
        }
      }
    }
    return seen;
  }

  /** Waits 0..15 ms before each batch, so the two relays' sends overlap in every possible way. */
  private record StallingPublisher(Vertx vertx, EventPublisher delegate) implements EventPublisher {
    @Override
    public Future<Void> send(String topic, String key, String value) {
      return delegate.send(topic, key, value);
    }

    @Override
    public Future<Void> publish(String topic, CloudEvent event) {
      return delegate.publish(topic, event);
    }

    @Override
    public Future<Void> publishAll(String topic, List<CloudEvent> events) {
      return delegate.publishAll(topic, events);
    }

    @Override
    public Future<Void> publishEncodedAcked(String topic, List<CloudEventRecords.Encoded> events) {
      Promise<Void> waited = Promise.promise();
      vertx.setTimer(1 + ThreadLocalRandom.current().nextInt(15), t -> waited.complete());
      return waited.future().compose(v -> delegate.publishEncodedAcked(topic, events));
    }
  }
}
