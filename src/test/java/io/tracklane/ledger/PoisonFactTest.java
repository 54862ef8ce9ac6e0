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
import java.util.ArrayList;
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
      // A field of the wrong type is the fact's own fault: dead-lettered at once, naming the field.
      CloudEvent mistyped = Facts.postback(f.programId, now, new JsonObject().put("transaction_id", "mistyped")
          .put("click_id", facts.clickId(linkId, now)).put("amount_minor", "12.50").put("currency", "EUR"));
      facts.send(0, mistyped);
      facts.send(0, Facts.postback(f.programId, now, new JsonObject().put("transaction_id", "after-poison")
          .put("click_id", facts.clickId(linkId, now)).put("amount_minor", 2000L).put("currency", "EUR")));

      facts.awaitScalar(200, Duration.ofSeconds(60),
          "SELECT coalesce(sum(amount_minor), 0) FROM commissions WHERE program_id = $1", f.programId);
      assertEquals(0, facts.scalar("SELECT count(*) FROM clicks WHERE click_id = $1", badClick));

      List<JsonObject> letters = deadLetters(engine, 2);
      JsonObject body = letters.stream().filter(l -> CloudEvent.decode(l.getString("value")).id().equals(poison.id()))
          .findFirst().orElse(null);
      assertNotNull(body, "the poison fact is on the dead-letter topic: " + letters);
      assertTrue(body.getString("reason").startsWith("could not be written"), body.encode());
      JsonObject wrongType = letters.stream()
          .filter(l -> CloudEvent.decode(l.getString("value")).id().equals(mistyped.id())).findFirst().orElse(null);
      assertNotNull(wrongType, "the mistyped fact is on the dead-letter topic: " + letters);
      assertTrue(wrongType.getString("reason").contains("amount_minor"), wrongType.encode());
    }
  }

  private static List<JsonObject> deadLetters(TestEngine engine, int count) {
    Properties props = new Properties();
    props.put("bootstrap.servers", engine.config().kafka().bootstrapServers());
    props.put("group.id", "dlq-" + UUID.randomUUID());
    props.put("auto.offset.reset", "earliest");
    try (KafkaConsumer<String, String> consumer =
             new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(engine.config().kafka().topicDeadLetter()));
      List<JsonObject> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline && out.size() < count) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(new JsonObject(r.value()));
        }
      }
      return out;
    }
  }
}
