package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.domain.EventIds;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class PoisonFactTest {

  @Test
  void aFactTheDatabaseRefusesGoesToTheDeadLetterTopicAndTheRestOfItsPartitionIsCredited() {
    try (TestEngine engine = TestEngine.start(PoisonFactTest.class); Facts facts = new Facts(engine)) {
      Fixtures f = new Fixtures(engine, "EUR");
      JsonObject campaign = f.campaign(new JsonObject().put("commission_percent", 10));
      JsonObject link = f.link(campaign.getString("id"),
          f.affiliate(campaign.getString("id"), "poison@partner.example").getString("id"));
      long linkId = Long.parseLong(link.getString("id"));
      Instant now = Instant.now();

      // PostgreSQL refuses a NUL byte in text: this fact can never be written, however often retried.
      String badClick = facts.clickId(linkId, now);
      JsonObject data = new JsonObject().put("click_id", badClick).put("link_id", linkId)
          .put("campaign_id", Long.parseLong(campaign.getString("id")))
          .put("affiliate_id", Long.parseLong(link.getString("affiliate_id"))).put("creditable", true)
          .put("sub1", "a\u0000b").put("flags", List.of()).put("unique", true);
      CloudEvent poison = new CloudEvent(EventIds.click(badClick), EventTypes.CLICK_RECORDED, f.programId, now, data);
      facts.send(0, poison);
      facts.send(0, Facts.postback(f.programId, now, new JsonObject().put("transaction_id", "after-poison")
          .put("click_id", facts.clickId(linkId, now)).put("amount_minor", 2000L).put("currency", "EUR")));

      facts.awaitScalar(200, Duration.ofSeconds(60),
          "SELECT coalesce(sum(amount_minor), 0) FROM commissions WHERE program_id = $1", f.programId);
      assertEquals(0, facts.scalar("SELECT count(*) FROM clicks WHERE click_id = $1", badClick));

      ConsumerRecord<String, String> letter = deadLetter(engine);
      assertNotNull(letter, "the poison fact is on the dead-letter topic");
      JsonObject body = new JsonObject(letter.value());
      assertTrue(body.getString("reason").startsWith("could not be written"), body.encode());
      assertEquals(poison.id(), CloudEvent.decode(body.getString("value")).id());
    }
  }

  private static ConsumerRecord<String, String> deadLetter(TestEngine engine) {
    Properties props = new Properties();
    props.put("bootstrap.servers", engine.config().kafka().bootstrapServers());
    props.put("group.id", "dlq-" + UUID.randomUUID());
    props.put("auto.offset.reset", "earliest");
    try (KafkaConsumer<String, String> consumer =
             new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(engine.config().kafka().topicDeadLetter()));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          return r;
        }
      }
      return null;
    }
  }
}
