package io.tracklane.firehose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every event type is really emitted, on the topic it belongs to, as a record the CloudEvents SDK's
 * Kafka binding reads back, with data valid against docs/events/<type>.schema.json (checked by the
 * networknt JSON Schema validator); docs/events/README.md lists exactly those types.
 */
@Timeout(240)
class EventSchemaTest {
  private static final Path SCHEMAS = Path.of("docs", "events");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> ENVELOPE = Set.of("specversion", "id", "source", "type", "time", "datacontenttype",
      "programid", "data");
  private static final Set<String> FACT_TYPES = Set.of(EventTypes.CLICK_RECORDED, EventTypes.IMPRESSION_RECORDED,
      EventTypes.POSTBACK_RECEIVED, EventTypes.POSTBACK_DUPLICATE);
  /** Every type the engine emits; the end-to-end test must see each. */
  private static final Set<String> ALL_TYPES = Set.of(EventTypes.CLICK_RECORDED, EventTypes.IMPRESSION_RECORDED,
      EventTypes.POSTBACK_RECEIVED, EventTypes.POSTBACK_DUPLICATE, EventTypes.CONVERSION_CREATED,
      EventTypes.CONVERSION_STATUS_CHANGED, EventTypes.CONVERSION_REJECTED, EventTypes.COMMISSION_CREATED,
      EventTypes.COMMISSION_STATUS_CHANGED, EventTypes.LEAD_CREATED, EventTypes.REFUND_RECORDED,
      EventTypes.PAYOUT_CREATED, EventTypes.PAYOUT_PAID, EventTypes.API_KEY_CREATED, EventTypes.API_KEY_REVOKED,
      EventTypes.PARTNER_POSTBACK_DELIVERED, EventTypes.PARTNER_POSTBACK_FAILED);

  private static TestEngine engine;
  /** A partner's receiver: /ok-... answers 200, /down-... 500 (so that delivery fails). */
  private static io.tracklane.webhooks.Receiver receiver;
  private final Map<String, JsonSchema> schemas = new HashMap<>();

  @BeforeAll
  static void start() {
    // The webhooks role too, with a one-second retry window, so a partner postback fails quickly; the
    // breaker stays shut (else five quick failures hold the endpoint for open_seconds, past the window,
    // and the failure would be recorded only after that).
    engine = TestEngine.start(EventSchemaTest.class, Map.ofEntries(Map.entry("ledger.due_job_ms", "200"),
        Map.entry("roles", "edge,api,ledger,webhooks"), Map.entry("webhooks.allow_hosts", "127.0.0.1"),
        Map.entry("webhooks.poll_ms", "50"), Map.entry("webhooks.backoff_base_ms", "50"),
        Map.entry("webhooks.backoff_max_ms", "50"), Map.entry("webhooks.retry_window_seconds", "1"),
        Map.entry("webhooks.breaker.failures", "1000")));
    receiver = new io.tracklane.webhooks.Receiver(0);
  }

  @AfterAll
  static void stop() {
    receiver.close();
    engine.close();
  }

  @Test
  void readmeListsExactlyTheEmittedTypesAndEachHasASchema() throws IOException, IllegalAccessException {
    Set<String> listed = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\| `(tracklane\\.[a-z_.0-9]+)` \\|")
        .matcher(Files.readString(SCHEMAS.resolve("README.md")));
    while (m.find()) {
      listed.add(m.group(1));
    }
    Set<String> files = new TreeSet<>();
    try (var list = Files.list(SCHEMAS)) {
      list.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".schema.json"))
          .forEach(n -> files.add(n.substring(0, n.length() - ".schema.json".length())));
    }
    Set<String> declared = new TreeSet<>(eventTypes());
    assertEquals(declared, listed, "docs/events/README.md lists every type in EventTypes");
    assertEquals(declared, files, "one schema file per type");
    assertEquals(declared, new TreeSet<>(ALL_TYPES), "the end-to-end test sees every declared type emitted");
  }

  @Test
  void schemasRejectDataWithMissingOrUnknownFields() {
    JsonObject click = new JsonObject().put("click_id", "x".repeat(30)).put("link_id", 1).put("unknown", true);
    assertFalse(schema(EventTypes.CLICK_RECORDED).validate(node(click)).isEmpty());
    assertFalse(schema(EventTypes.COMMISSION_CREATED).validate(node(new JsonObject())).isEmpty());
    assertFalse(schema(EventTypes.POSTBACK_RECEIVED).validate(node(new JsonObject().put("trust", "nobody")))
        .isEmpty());
  }

  @Test
  void everyTypeIsEmittedAsACloudEventTheSdkReadsAndItsDataMatchesItsSchema() {
    Fixtures f = new Fixtures(engine, "EUR");
    JsonObject campaign = f.campaign(new JsonObject().put("commission_percent", 10).put("payout_delay_days", 0)
        .put("accept_client_conversions", true));
    JsonObject affiliate = f.affiliate(campaign.getString("id"), "schema@partner.example");
    String code = f.link(campaign.getString("id"), affiliate.getString("id")).getString("code");
    for (String path : List.of("/ok-schema", "/down-schema")) {
      f.create("/webhooks", new JsonObject().put("url", receiver.url(path)).put("events",
          new io.vertx.core.json.JsonArray().add("lead")), 201);
    }
    assertEquals(200, Http.get(engine.edgeUrl() + "/i/" + code).statusCode());
    String clickId = f.click(code + "?sub1=spring&source=newsletter");
    assertEquals(200, f.postback("transaction_id=good-1&amount=49.90&click_id=" + clickId).statusCode());
    assertEquals(200, f.postback("transaction_id=good-1&amount=49.90&click_id=" + clickId).statusCode());
    assertEquals(200, f.postback("transaction_id=forged-1&amount=5.00&click_id=" + forge(clickId)).statusCode());
    assertEquals(200, f.postback("event=lead&transaction_id=lead-1&customer_email=lead@buyer.example&click_id="
        + f.click(code)).statusCode());
    assertEquals(200, f.postback("transaction_id=gbp-1&amount=10.00&currency=GBP&click_id=" + f.click(code))
        .statusCode());
    String keyId = f.create("/api_keys", new JsonObject().put("label", "schema").put("affiliate_id",
        affiliate.getString("id")), 201).getString("id");
    assertEquals(200, Http.delete(engine.apiUrl() + "/api_keys/" + keyId, "X-Api-Key", f.ownerKey).statusCode());

    // A sale rejected for want of an FX rate, credited by a retry once the rate exists: its status changes.
    String rejected = awaitRejected(f, "gbp-1");
    assertEquals(200, Http.put(engine.apiUrl() + "/fx_rates/GBP/EUR", "application/json",
        new JsonObject().put("rate", "1.2").encode(), "X-Api-Key", f.ownerKey).statusCode());
    HttpResponse<String> retry = Http.post(engine.apiUrl() + "/rejected_events/" + rejected + "/retry",
        "application/json", "{}", "X-Api-Key", f.ownerKey);
    assertEquals(202, retry.statusCode(), retry.body());
    f.awaitCommissions("due", 2);
    assertEquals(200, f.postback("event=refund&transaction_id=good-1&amount=10.00&click_id=" + clickId).statusCode());
    HttpResponse<String> run = Http.post(engine.apiUrl() + "/payouts/run", "application/json", "{}",
        "X-Api-Key", f.ownerKey);
    assertEquals(200, run.statusCode(), run.body());
    String payout = Http.json(run).getJsonArray("payout_ids").getString(0);
    assertEquals(200, Http.post(engine.apiUrl() + "/payouts/" + payout + "/mark_as_paid", "application/json", "{}",
        "X-Api-Key", f.ownerKey).statusCode());

    // A conversion pixel in the browser: a postback the client vouches for ("trust": "client").
    assertEquals(200, Http.get(engine.edgeUrl() + "/c.gif?transaction_id=pixel-1&amount=3.00", "Cookie",
        "tl_click=" + f.click(code)).statusCode());

    Map<String, Integer> seen = new HashMap<>();
    List<String> problems = new ArrayList<>();
    boolean[] clientTrust = new boolean[1];
    consumeBothTopics(Duration.ofSeconds(60), record -> {
      io.cloudevents.CloudEvent event;
      try {
        event = KafkaMessageFactory.createReader(record).toEvent();
      } catch (RuntimeException e) {
        problems.add(record.topic() + "@" + record.offset() + ": the SDK cannot read it: " + e);
        return false;
      }
      if (!Long.toString(f.programId).equals(event.getExtension("programid"))) {
        return false;
      }
      String problem = check(record, event, f.programId);
      if (problem != null) {
        problems.add(record.topic() + "@" + record.offset() + ": " + problem + " in "
            + new String(record.value(), StandardCharsets.UTF_8));
      }
      if (EventTypes.POSTBACK_RECEIVED.equals(event.getType())
          && "client".equals(CloudEventRecords.fromSdk(event).data().getString("trust"))) {
        clientTrust[0] = true;
      }
      seen.merge(event.getType(), 1, Integer::sum);
      return seen.keySet().containsAll(ALL_TYPES) && clientTrust[0];
    });

    assertEquals(List.of(), problems);
    assertEquals(new TreeSet<>(ALL_TYPES), new TreeSet<>(seen.keySet()), "types seen: " + seen);
    assertTrue(clientTrust[0], "a client-pixel postback was read and validated");
  }

  private static String awaitRejected(Fixtures f, String transactionId) {
    Predicate<JsonObject> match = e -> transactionId.equals(e.getString("transaction_id"));
    HttpResponse<String> r = Http.poll(Duration.ofSeconds(30),
        x -> x.statusCode() == 200 && Http.json(x).getJsonArray("data").stream().map(JsonObject.class::cast)
            .anyMatch(match), engine.apiUrl() + "/rejected_events", "X-Api-Key", f.ownerKey);
    return Http.json(r).getJsonArray("data").stream().map(JsonObject.class::cast).filter(match).findFirst()
        .orElseThrow().getString("id");
  }

  /** The binding's header, the envelope, the topic its type belongs on, and its data against the type's schema. */
  private String check(ConsumerRecord<String, byte[]> record, io.cloudevents.CloudEvent event, long programId) {
    Header contentType = record.headers().lastHeader("content-type");
    if (contentType == null || !new String(contentType.value(), StandardCharsets.UTF_8)
        .startsWith("application/cloudevents+json")) {
      return "no structured-mode content-type header";
    }
    JsonObject json = new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
    if (!ENVELOPE.equals(json.fieldNames())) {
      return "envelope fields " + new TreeSet<>(json.fieldNames());
    }
    String type = event.getType();
    String program = Long.toString(programId);
    boolean envelopeOk = "1.0".equals(event.getSpecVersion().toString()) && !event.getId().isBlank()
        && ("/tracklane/programs/" + program).equals(event.getSource().toString())
        && "application/json".equals(event.getDataContentType()) && program.equals(record.key())
        && event.getTime() != null && json.getValue("data") instanceof JsonObject;
    if (!envelopeOk) {
      return "envelope values";
    }
    String expectedTopic = FACT_TYPES.contains(type) ? engine.config().kafka().topicFacts()
        : engine.config().kafka().topicChanges();
    if (!expectedTopic.equals(record.topic())) {
      return type + " on the wrong topic";
    }
    if (!Files.isRegularFile(SCHEMAS.resolve(type + ".schema.json"))) {
      return "no schema for " + type;
    }
    try {
      Set<ValidationMessage> errors = schema(type).validate(MAPPER.readTree(event.getData().toBytes()));
      return errors.isEmpty() ? null : type + " data invalid: " + errors;
    } catch (IOException e) {
      return type + " data is not JSON: " + e;
    }
  }

  /** Reads both topics from the beginning until {@code done} says so or the time is up. */
  private static void consumeBothTopics(Duration timeout, Predicate<ConsumerRecord<String, byte[]>> done) {
    Properties props = new Properties();
    props.put("bootstrap.servers", engine.config().kafka().bootstrapServers());
    props.put("group.id", "schema-test-" + UUID.randomUUID());
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", "earliest");
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : Topics.firehose(engine.config().kafka())) {
        consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(250))) {
          if (done.test(record)) {
            return;
          }
        }
      }
    }
  }

  /** The type's schema, for the networknt validator (draft 2020-12, as the files declare). */
  private JsonSchema schema(String type) {
    return schemas.computeIfAbsent(type, t -> {
      try {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(MAPPER.readTree(SCHEMAS.resolve(t + ".schema.json").toFile()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static JsonNode node(JsonObject json) {
    try {
      return MAPPER.readTree(json.encode());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
