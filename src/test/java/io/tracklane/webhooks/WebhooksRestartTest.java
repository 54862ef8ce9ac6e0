package io.tracklane.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.Main;
import io.tracklane.config.ConfigSource;
import io.tracklane.firehose.EventTypes;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The webhooks role on its own: in a child JVM killed with SIGKILL in the middle of a retry schedule
 * (the schedule is in PostgreSQL, so a new process carries it on), and in a process whose
 * {@code webhooks.allow_hosts} no longer lists the receiver's host (refused again at delivery).
 */
@Timeout(300)
class WebhooksRestartTest {
  private static TestEngine engine;
  private static Fixtures owner;
  private static Receiver receiver;
  private static String link;

  @BeforeAll
  static void start() {
    // The API, edge and ledger run here; the webhooks role runs elsewhere in each test.
    engine = TestEngine.start(WebhooksRestartTest.class, Map.of("webhooks.allow_hosts", "127.0.0.1",
        "webhooks.poll_ms", "50", "webhooks.backoff_base_ms", "1500", "webhooks.backoff_max_ms", "1500",
        "webhooks.timeout_ms", "1000", "webhooks.breaker.failures", "1000"));
    owner = new Fixtures(engine, "EUR");
    receiver = new Receiver(0);
    String campaign = owner.campaign(new JsonObject().put("name", "Shop")).getString("id");
    String affiliate = owner.affiliate(campaign, "ann@partner.example").getString("id");
    link = owner.link(campaign, affiliate).getString("code");
  }

  @AfterAll
  static void stop() {
    receiver.close();
    engine.close();
  }

  @Test
  void aWebhooksProcessKilledMidScheduleIsReplacedAndTheDeliveryStillArrivesOnce() throws Exception {
    JsonObject hook = create(receiver.url("/down-restart"));
    String path = "/webhooks/" + hook.getString("id");
    Process first = child("first");
    Process second = null;
    try {
      owner.sale(link, "RESTART-1", "20.00");
      JsonObject before = awaitAttempts(path, 2);
      first.destroyForcibly(); // SIGKILL: no graceful stop, the lease and the schedule stay in PostgreSQL
      assertTrue(first.waitFor(30, TimeUnit.SECONDS));
      receiver.up = true;
      Http.sleep(3000);
      int attemptsWhileDown = attempts(path).getJsonArray("attempts").size();
      assertTrue(attemptsWhileDown >= before.getJsonArray("attempts").size());
      assertEquals("pending", attempts(path).getString("status"), "nobody delivers while no webhooks process runs");

      second = child("second");
      JsonObject delivered = Http.json(Http.poll(Duration.ofSeconds(90), r -> "delivered".equals(Http.json(r)
          .getJsonArray("data").getJsonObject(0).getString("status")), engine.apiUrl() + path + "/deliveries",
          "X-Api-Key", owner.ownerKey)).getJsonArray("data").getJsonObject(0);
      JsonArray attempts = delivered.getJsonArray("attempts");
      assertEquals(attemptsWhileDown + 1, attempts.size(), delivered.encode());
      assertEquals(200, attempts.getJsonObject(attempts.size() - 1).getInteger("status_code"));
      Http.sleep(1000);
      List<Receiver.Request> got = receiver.to("/down-restart");
      assertEquals(attempts.size(), got.size(), "every attempt reached the receiver once, none after the 200");

      // The delivered event reaches the firehose (through the outbox) and matches its schema.
      JsonObject event = awaitEvent(EventTypes.PARTNER_POSTBACK_DELIVERED, delivered.getString("id"));
      JsonObject data = event.getJsonObject("data");
      assertEquals(hook.getString("id"), data.getString("endpoint_id"));
      assertEquals("webhook", data.getString("endpoint_kind"));
      assertEquals(attempts.size(), data.getInteger("attempts"));
      assertEquals(200, data.getInteger("status_code"));
      OutputUnit valid = validator(EventTypes.PARTNER_POSTBACK_DELIVERED).validate(data);
      assertTrue(valid.getValid(), String.valueOf(valid.getErrors()));
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroyForcibly();
        second.waitFor(30, TimeUnit.SECONDS);
      }
    }
    assertEquals(200, Http.delete(engine.apiUrl() + path, "X-Api-Key", owner.ownerKey).statusCode());
  }

  @Test
  void aHostNoLongerAllowListedIsRefusedAtDeliveryAndFailsAfterItsWindow() {
    JsonObject hook = create(receiver.url("/ok-guard"));
    String path = "/webhooks/" + hook.getString("id");
    // The same deployment, but this process's allow-list no longer names 127.0.0.1: its resolved
    // address is loopback, refused at each attempt without any connection.
    try (TestEngine guard = engine.startAnother(WebhooksRestartTest.class, Map.of("roles", "webhooks",
        "webhooks.allow_hosts", "", "webhooks.backoff_base_ms", "100", "webhooks.backoff_max_ms", "100",
        "webhooks.retry_window_seconds", "2"))) {
      owner.sale(link, "GUARD-1", "30.00");
      JsonObject failed = Http.json(Http.poll(Duration.ofSeconds(60), r -> Http.json(r).getJsonArray("data").size() > 0
          && "failed".equals(Http.json(r).getJsonArray("data").getJsonObject(0).getString("status")),
          engine.apiUrl() + path + "/deliveries", "X-Api-Key", owner.ownerKey)).getJsonArray("data").getJsonObject(0);
      JsonArray attempts = failed.getJsonArray("attempts");
      assertTrue(attempts.size() >= 2, failed.encode());
      for (Object a : attempts) {
        JsonObject attempt = (JsonObject) a;
        assertNull(attempt.getInteger("status_code"));
        assertTrue(attempt.getString("error").contains("127.0.0.1") && attempt.getString("error").contains("loopback"),
            attempt.encode());
      }
      assertTrue(receiver.to("/ok-guard").isEmpty(), "no connection was made");
      JsonObject event = awaitEvent(EventTypes.PARTNER_POSTBACK_FAILED, failed.getString("id"));
      OutputUnit valid = validator(EventTypes.PARTNER_POSTBACK_FAILED).validate(event.getJsonObject("data"));
      assertTrue(valid.getValid(), String.valueOf(valid.getErrors()));
      assertTrue(event.getJsonObject("data").getString("error").contains("loopback"));
    }
    assertEquals(200, Http.delete(engine.apiUrl() + path, "X-Api-Key", owner.ownerKey).statusCode());
  }

  private static JsonObject create(String url) {
    var r = Http.post(engine.apiUrl() + "/webhooks", "application/json", new JsonObject().put("url", url)
        .put("events", new JsonArray().add("conversion")).encode(), "X-Api-Key", owner.ownerKey);
    assertEquals(201, r.statusCode(), r.body());
    return Http.json(r);
  }

  private static JsonObject attempts(String path) {
    return Http.json(Http.get(engine.apiUrl() + path + "/deliveries", "X-Api-Key", owner.ownerKey))
        .getJsonArray("data").getJsonObject(0);
  }

  private static JsonObject awaitAttempts(String path, int count) {
    return Http.json(Http.poll(Duration.ofSeconds(90), r -> Http.json(r).getJsonArray("data").size() > 0
        && Http.json(r).getJsonArray("data").getJsonObject(0).getJsonArray("attempts").size() >= count,
        engine.apiUrl() + path + "/deliveries", "X-Api-Key", owner.ownerKey)).getJsonArray("data").getJsonObject(0);
  }

  /** Runs {@code serve} with only the webhooks role in a child JVM, on this engine's schema and topics. */
  private static Process child(String name) throws Exception {
    Path log = Files.createTempFile("webhooks-" + name, ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-Dlogback.configurationFile=logback.xml",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith(ConfigSource.ENV_PREFIX));
    Map<String, String> settings = new HashMap<>(engine.settingsView());
    settings.put("roles", "webhooks");
    settings.put("http.ops_port", Integer.toString(TestEngine.freePort()));
    settings.forEach((k, v) -> pb.environment().put(ConfigSource.envName(k), v));
    pb.directory(new File(System.getProperty("user.dir")));
    Process p = pb.start();
    Http.poll(Duration.ofSeconds(90), r -> r.statusCode() == 200, "http://127.0.0.1:" + settings.get("http.ops_port")
        + "/health/ready");
    return p;
  }

  /** The firehose event of {@code type} about one delivery, read from the changes topic. */
  private static JsonObject awaitEvent(String type, String deliveryId) {
    Properties props = new Properties();
    props.put("bootstrap.servers", engine.config().kafka().bootstrapServers());
    props.put("group.id", "webhooks-test-" + UUID.randomUUID());
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", "earliest");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new StringDeserializer())) {
      String topic = engine.config().kafka().topicChanges();
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(250))) {
          JsonObject event = new JsonObject(record.value());
          if (type.equals(event.getString("type"))
              && deliveryId.equals(event.getJsonObject("data").getString("delivery_id"))) {
            return event;
          }
        }
      }
    }
    throw new AssertionError("no " + type + " event for delivery " + deliveryId);
  }

  private static Validator validator(String type) {
    try {
      JsonObject schema = new JsonObject(Files.readString(Path.of("docs/events").resolve(type + ".schema.json")));
      return Validator.create(JsonSchema.of(schema), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
          .setBaseUri("https://tracklane.io/").setOutputFormat(OutputFormat.Basic));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
