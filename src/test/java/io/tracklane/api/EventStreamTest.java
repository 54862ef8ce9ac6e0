package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.CloudEventRecords;
import io.tracklane.firehose.EventTypes;
import io.tracklane.ledger.Outbox;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GET /api/v1/events against a real engine, Kafka and PostgreSQL. */
@Timeout(240)
class EventStreamTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static TestEngine engine;
  private static KafkaProducer<String, byte[]> producer;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(EventStreamTest.class, Map.of("roles", "api", "ledger.outbox_sweep_ms", "100",
        "api.events.heartbeat_ms", "300", "api.events.max_streams_per_key", "2", "api.events.slow_client_ms", "1500"));
    Properties p = new Properties();
    p.put("bootstrap.servers", engine.config().kafka().bootstrapServers());
    p.put("acks", "all");
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stop() {
    producer.close();
    engine.close();
  }

  /** One parsed server-sent event. */
  record Sse(String id, String type, CloudEvent event) {
  }

  /** A stream read line by line; close() disconnects. */
  static final class Client implements AutoCloseable {
    final int status;
    final String startId;
    private final InputStream body;
    private final BufferedReader reader;
    private final String error;
    int heartbeats;

    Client(String query, String key, String lastEventId) throws IOException, InterruptedException {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(engine.apiUrl() + "/events" + query))
          .header("X-Api-Key", key).header("Accept", "text/event-stream");
      if (lastEventId != null) {
        b.header("Last-Event-ID", lastEventId);
      }
      HttpResponse<InputStream> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      status = r.statusCode();
      body = r.body();
      reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
      if (status != 200) {
        error = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        startId = null;
        return;
      }
      error = null;
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
      Sse first = next();
      assertNull(first.type(), "the stream opens with its position only");
      startId = first.id();
    }

    /** The next block with an id (heartbeat comments are counted and skipped). */
    Sse next() throws IOException {
      String id = null;
      String type = null;
      String data = null;
      while (true) {
        String line = reader.readLine();
        if (line == null) {
          throw new IOException("stream ended");
        }
        if (line.isEmpty()) {
          if (id != null) {
            return new Sse(id, type, data == null ? null : CloudEvent.decode(data));
          }
          continue;
        }
        if (line.startsWith(":")) {
          if (line.startsWith(": heartbeat")) {
            heartbeats++;
          }
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
    }

    /** The next event, skipping blocks that only carry a position. */
    Sse nextEvent() throws IOException {
      Sse s;
      do {
        s = next();
      } while (s.type() == null);
      return s;
    }

    @Override
    public void close() throws IOException {
      body.close();
    }
  }

  @Test
  void aBurstOf10000EventsResumesAfterADisconnectWithNoGapAndNoRepeat() throws Exception {
    Fixtures f = new Fixtures(engine, "EUR");
    String key = engine.ownerKey(f.programId, "reporting");
    List<Integer> received = new ArrayList<>();
    String lastId;
    try (Client first = new Client("", key, null)) {
      assertEquals(200, first.status);
      // The burst goes through the outbox and its relay, as the ledger's and the API's changes do.
      List<Outbox.Event> burst = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        burst.add(new Outbox.Event(f.programId, Instant.now(), EventTypes.PAYOUT_PAID, "burst:" + i,
            new JsonObject().put("seq", i)));
      }
      TestEngine.await(engine.engine().pool().withTransaction(tx -> new Outbox().emitAll(tx, burst)));
      Sse s = null;
      while (received.size() < 3_777) {
        s = first.nextEvent();
        received.add(s.event().data().getInteger("seq"));
      }
      lastId = s.id();
    }
    try (Client resumed = new Client("", key, lastId)) {
      assertEquals(200, resumed.status, resumed.error);
      assertEquals(lastId, resumed.startId);
      while (received.size() < 10_000) {
        received.add(resumed.nextEvent().event().data().getInteger("seq"));
      }
      // Nothing more: the next blocks are heartbeats, no event.
      int beats = resumed.heartbeats;
      publish(ev(f.programId, EventTypes.PAYOUT_PAID, new JsonObject().put("seq", -1)), true);
      assertEquals(-1, resumed.nextEvent().event().data().getInteger("seq"), "the next event is the new one");
      assertTrue(resumed.heartbeats >= beats);
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      expected.add(i);
    }
    assertEquals(expected, received);
  }

  @Test
  void anAffiliateKeySeesOnlyItsOwnEventsWithoutOwnerFieldsAndTypesFilter() throws Exception {
    Fixtures f = new Fixtures(engine, "EUR");
    String campaign = f.campaign(new JsonObject()).getString("id");
    long mine = Long.parseLong(f.affiliate(campaign, "mine@partner.example").getString("id"));
    long other = Long.parseLong(f.affiliate(campaign, "other@partner.example").getString("id"));
    try (Client owner = new Client("", engine.ownerKey(f.programId, "reporting"), null);
         Client affiliate = new Client("", engine.affiliateKey(f.programId, mine), null);
         Client commissionsOnly = new Client("?types=" + EventTypes.COMMISSION_CREATED + ","
             + EventTypes.LEAD_CREATED, engine.ownerKey(f.programId, "manager"), null)) {
      publish(ev(f.programId + 1_000_000, EventTypes.CLICK_RECORDED, click(mine)), false);
      publish(ev(f.programId, EventTypes.CLICK_RECORDED, click(other)), false);
      publish(ev(f.programId, EventTypes.POSTBACK_RECEIVED, new JsonObject().put("transaction_id", "t1")), false);
      publish(ev(f.programId, EventTypes.CLICK_RECORDED, click(mine)), false);
      publish(ev(f.programId, EventTypes.COMMISSION_CREATED, new JsonObject().put("commission_id", "5")
          .put("affiliate_id", Long.toString(mine)).put("amount_cents", 100)), true);

      List<String> ownerTypes = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Sse s = owner.nextEvent();
        assertEquals(f.programId, s.event().programId());
        ownerTypes.add(s.type());
      }
      // Facts in their order; the commission is on the other topic (no order between topics).
      ownerTypes.remove(EventTypes.COMMISSION_CREATED);
      assertEquals(List.of(EventTypes.CLICK_RECORDED, EventTypes.POSTBACK_RECEIVED, EventTypes.CLICK_RECORDED),
          ownerTypes);

      // Two events, one per topic (no order between topics): its click and its commission.
      Map<String, Sse> mineOnly = new java.util.HashMap<>();
      for (int i = 0; i < 2; i++) {
        Sse s = affiliate.nextEvent();
        mineOnly.put(s.type(), s);
      }
      assertEquals(java.util.Set.of(EventTypes.CLICK_RECORDED, EventTypes.COMMISSION_CREATED), mineOnly.keySet());
      Sse click = mineOnly.get(EventTypes.CLICK_RECORDED);
      assertEquals(mine, click.event().data().getLong("affiliate_id"));
      for (String hidden : List.of("ip", "user_agent", "referer", "flags", "creditable")) {
        assertFalse(click.event().data().containsKey(hidden), hidden + " is the owner's");
      }
      assertEquals("c-" + mine, click.event().data().getString("click_id"));
      assertEquals(Long.toString(mine), mineOnly.get(EventTypes.COMMISSION_CREATED).event().data()
          .getString("affiliate_id"));

      Sse filtered = commissionsOnly.nextEvent();
      assertEquals(EventTypes.COMMISSION_CREATED, filtered.type());
    }
  }

  @Test
  void badInputIs400AndStreamsPerKeyAreLimited() throws Exception {
    Fixtures f = new Fixtures(engine, "EUR");
    String key = engine.ownerKey(f.programId, "reporting");
    HttpResponse<String> bad = Http.get(engine.apiUrl() + "/events?types=tracklane.nope.v1", "X-Api-Key", key);
    assertEquals(400, bad.statusCode(), bad.body());
    HttpResponse<String> badId = Http.get(engine.apiUrl() + "/events", "X-Api-Key", key, "Last-Event-ID", "x");
    assertEquals(400, badId.statusCode(), badId.body());
    try (Client one = new Client("", key, null); Client two = new Client("", key, null)) {
      assertEquals(200, one.status);
      assertEquals(200, two.status);
      Client three = new Client("", key, null);
      assertEquals(429, three.status, three.error);
      three.close();
      // Heartbeats keep an idle stream alive.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (one.heartbeats < 2 && System.nanoTime() < deadline) {
        publish(ev(f.programId, EventTypes.PAYOUT_PAID, new JsonObject()), true);
        one.nextEvent();
      }
      assertTrue(one.heartbeats >= 2, "heartbeats: " + one.heartbeats);
    }
    // Closed streams free their places.
    Http.poll(Duration.ofSeconds(10), r -> true, engine.apiUrl() + "/campaigns", "X-Api-Key", key);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int status = 0;
    while (status != 200 && System.nanoTime() < deadline) {
      try (Client again = new Client("", key, null)) {
        status = again.status;
      }
      Http.sleep(100);
    }
    assertEquals(200, status);
  }

  @Test
  void aClientThatStopsReadingIsDisconnectedNotBufferedFor() throws Exception {
    Fixtures f = new Fixtures(engine, "EUR");
    String key = engine.ownerKey(f.programId, "reporting");
    URI api = URI.create(engine.apiUrl());
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress(api.getHost(), api.getPort()), 5000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + api.getPath() + "/events HTTP/1.1\r\nHost: " + api.getHost() + "\r\nX-Api-Key: " + key
          + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] head = new byte[256];
      int n = in.read(head);
      assertTrue(new String(head, 0, n, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
      Http.sleep(300);
      String padding = "x".repeat(400);
      for (int i = 0; i < 20_000; i++) {
        producer.send(CloudEventRecords.record(engine.config().kafka().topicChanges(),
            ev(f.programId, EventTypes.PAYOUT_PAID, new JsonObject().put("seq", i).put("pad", padding))));
      }
      producer.flush();
      // The client reads nothing; the server gives up on it after api.events.slow_client_ms.
      Http.sleep(6000);
      socket.setSoTimeout(10_000);
      long bytes = 0;
      boolean closed = false;
      try {
        byte[] buf = new byte[65536];
        int r;
        while ((r = in.read(buf)) >= 0) {
          bytes += r;
        }
        closed = true;
      } catch (IOException e) {
        closed = !(e instanceof java.net.SocketTimeoutException);
      }
      assertTrue(closed, "the server closed the connection");
      assertTrue(bytes < 20_000L * 400, "it did not keep sending: " + bytes + " bytes");
    }
  }

  private static JsonObject click(long affiliateId) {
    return new JsonObject().put("click_id", "c-" + affiliateId).put("affiliate_id", affiliateId).put("link_id", 1)
        .put("campaign_id", 1).put("ip", "203.0.113.9").put("user_agent", "UA").put("referer", "https://r.example")
        .put("flags", new io.vertx.core.json.JsonArray()).put("creditable", true);
  }

  private static CloudEvent ev(long programId, String type, JsonObject data) {
    return new CloudEvent("ev_" + UUID.randomUUID(), type, programId, Instant.now(), data);
  }

  private static void publish(CloudEvent event, boolean changes) throws Exception {
    String topic = changes ? engine.config().kafka().topicChanges() : engine.config().kafka().topicFacts();
    producer.send(CloudEventRecords.record(topic, event)).get();
  }
}
