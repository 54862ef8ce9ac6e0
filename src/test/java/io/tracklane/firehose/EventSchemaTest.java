package io.tracklane.firehose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real events from both firehose topics are CloudEvents whose data matches docs/events/<type>.schema.json. */
@Timeout(180)
class EventSchemaTest {
  private static final Path SCHEMAS = Path.of("docs", "events");
  private static final Set<String> ENVELOPE = Set.of("specversion", "id", "source", "type", "time", "datacontenttype",
      "programid", "data");
  private static final Set<String> FACT_TYPES = Set.of(EventTypes.CLICK_RECORDED, EventTypes.IMPRESSION_RECORDED,
      EventTypes.POSTBACK_RECEIVED, EventTypes.POSTBACK_DUPLICATE);
  private static final Set<String> REQUIRED_TYPES = Set.of(EventTypes.CLICK_RECORDED, EventTypes.IMPRESSION_RECORDED,
      EventTypes.POSTBACK_RECEIVED, EventTypes.POSTBACK_DUPLICATE, EventTypes.CONVERSION_CREATED, EventTypes.CONVERSION_REJECTED,
      EventTypes.COMMISSION_CREATED, EventTypes.API_KEY_CREATED, EventTypes.API_KEY_REVOKED);

  private static TestEngine engine;
  private final Map<String, Validator> validators = new HashMap<>();

  @BeforeAll
  static void start() {
    engine = TestEngine.start(EventSchemaTest.class);
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void everyEventTypeHasASchemaFile() throws IllegalAccessException {
    for (String type : eventTypes()) {
      assertTrue(Files.isRegularFile(SCHEMAS.resolve(type + ".schema.json")), "no schema for " + type);
    }
  }

  @Test
  void schemasRejectDataWithMissingOrUnknownFields() {
    JsonObject click = new JsonObject().put("click_id", "x".repeat(30)).put("link_id", 1).put("unknown", true);
    assertFalse(validator(EventTypes.CLICK_RECORDED).validate(click).getValid());
    assertFalse(validator(EventTypes.COMMISSION_CREATED).validate(new JsonObject()).getValid());
  }

  @Test
  void eventsOnBothTopicsAreCloudEventsWhoseDataMatchesTheirSchema() {
    Fixtures f = new Fixtures(engine, "EUR");
    JsonObject campaign = f.campaign(new JsonObject().put("commission_percent", 10));
    JsonObject affiliate = f.affiliate(campaign.getString("id"), "schema@partner.example");
    String code = f.link(campaign.getString("id"), affiliate.getString("id")).getString("code");
    assertEquals(200, Http.get(engine.edgeUrl() + "/i/" + code).statusCode());
    String clickId = f.click(code + "?sub1=spring&source=newsletter");
    assertEquals(200, f.postback("transaction_id=good-1&amount=49.90&click_id=" + clickId).statusCode());
    assertEquals(200, f.postback("transaction_id=good-1&amount=49.90&click_id=" + clickId).statusCode());
    assertEquals(200, f.postback("transaction_id=forged-1&amount=5.00&click_id=" + forge(clickId)).statusCode());
    String keyId = f.create("/api_keys", new JsonObject().put("label", "schema").put("affiliate_id",
        affiliate.getString("id")), 201).getString("id");
    assertEquals(200, Http.delete(engine.apiUrl() + "/api_keys/" + keyId, "X-Api-Key", f.ownerKey).statusCode());

    Map<String, Integer> seen = new HashMap<>();
    List<String> problems = new ArrayList<>();
    consumeBothTopics(Duration.ofSeconds(30), record -> {
      String problem = check(record, f.programId);
      if (problem != null) {
        problems.add(record.topic() + "@" + record.offset() + ": " + problem + " in " + record.value());
      }
      seen.merge(new JsonObject(record.value()).getString("type"), 1, Integer::sum);
      return seen.keySet().containsAll(REQUIRED_TYPES);
    });

    assertEquals(List.of(), problems);
    assertTrue(seen.keySet().containsAll(REQUIRED_TYPES), "types seen: " + seen);
  }

  /** The envelope's fields, the topic its type belongs on, and its data against the type's schema. */
  private String check(ConsumerRecord<String, String> record, long programId) {
    JsonObject event = new JsonObject(record.value());
    String type = event.getString("type");
    if (!ENVELOPE.equals(event.fieldNames())) {
      return "envelope fields " + new TreeSet<>(event.fieldNames());
    }
    String program = Long.toString(programId);
    boolean envelopeOk = "1.0".equals(event.getString("specversion")) && !event.getString("id").isBlank()
        && ("/tracklane/programs/" + program).equals(event.getString("source"))
        && "application/json".equals(event.getString("datacontenttype"))
        && program.equals(event.getString("programid")) && program.equals(record.key())
        && event.getValue("data") instanceof JsonObject;
    if (!envelopeOk) {
      return "envelope values";
    }
    Instant.parse(event.getString("time"));
    String expectedTopic = FACT_TYPES.contains(type) ? engine.config().kafka().topicFacts()
        : engine.config().kafka().topicChanges();
    if (!expectedTopic.equals(record.topic())) {
      return type + " on the wrong topic";
    }
    if (!Files.isRegularFile(SCHEMAS.resolve(type + ".schema.json"))) {
      return "no schema for " + type;
    }
    OutputUnit result = validator(type).validate(event.getJsonObject("data"));
    return result.getValid() ? null : type + " data invalid: " + result.getErrors();
  }

  /** Reads both topics from the beginning until {@code done} says so or the time is up. */
  private static void consumeBothTopics(Duration timeout, Predicate<ConsumerRecord<String, String>> done) {
    Properties props = new Properties();
    props.put("bootstrap.servers", engine.config().kafka().bootstrapServers());
    props.put("group.id", "schema-test-" + UUID.randomUUID());
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", "earliest");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new StringDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : Topics.firehose(engine.config().kafka())) {
        consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(250))) {
          if (done.test(record)) {
            return;
          }
        }
      }
    }
  }

  private Validator validator(String type) {
    return validators.computeIfAbsent(type, t -> {
      try {
        JsonObject schema = new JsonObject(Files.readString(SCHEMAS.resolve(t + ".schema.json")));
        return Validator.create(JsonSchema.of(schema), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
            .setBaseUri("https://tracklane.io/").setOutputFormat(OutputFormat.Basic));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** A click id with one character changed in its middle: well-formed, but its signature no longer matches. */
  private static String forge(String clickId) {
    char c = clickId.charAt(15);
    return clickId.substring(0, 15) + (c == 'A' ? 'B' : 'A') + clickId.substring(16);
  }

  private static List<String> eventTypes() throws IllegalAccessException {
    List<String> types = new ArrayList<>();
    for (Field field : EventTypes.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        types.add((String) field.get(null));
      }
    }
    return types;
  }
}
