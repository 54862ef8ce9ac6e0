package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.firehose.CloudEvent;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class OutboxSweepTest {

  @Test
  void aProcessRunningOnlyTheApiPublishesWhatItsChangesWroteToTheOutbox() {
    try (TestEngine engine = TestEngine.start(OutboxSweepTest.class, Map.of("roles", "api",
        "ledger.outbox_sweep_ms", "100"))) {
      long programId = Long.parseLong(engine.createProgram("Sweep", "UTC", "EUR").getString("program_id"));
      CloudEvent event = new CloudEvent("ev_" + UUID.randomUUID().toString().replace("-", ""),
          "tracklane.payout.paid.v1", programId, Instant.parse("2026-11-21T12:00:00Z"),
          new JsonObject().put("payout_id", "1"));
      TestEngine.await(engine.engine().pool()
          .preparedQuery("INSERT INTO outbox (program_id, event_id, payload) VALUES ($1, $2, $3)")
          .execute(Tuple.of(programId, event.id(), event.encode())));

      Properties props = new Properties();
      props.put("bootstrap.servers", engine.config().kafka().bootstrapServers());
      props.put("group.id", "sweep-" + UUID.randomUUID());
      props.put("auto.offset.reset", "earliest");
      try (KafkaConsumer<String, String> consumer =
               new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(engine.config().kafka().topicChanges()));
        ConsumerRecord<String, String> found = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (found == null && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            found = r;
          }
        }
        assertEquals(Long.toString(programId), found.key());
        assertEquals(event.id(), CloudEvent.decode(found.value()).id());
      }
      long left = TestEngine.await(engine.engine().pool().query("SELECT count(*) FROM outbox").execute())
          .iterator().next().getLong(0);
      assertEquals(0, left, "published rows leave the outbox");
    }
  }
}
