package io.tracklane.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A redirect answered is a click recorded: with the edge's broker stopped for a minute under load,
 * and with the journal at its quota (then every click is stored or counted lost, none silently
 * missing). The broker is this test's own, so it can be stopped and started again.
 */
@Timeout(900)
class EdgeJournalTest {
  private static JournalBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = new JournalBroker("journal");
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void everyClickAnswered302DuringASixtySecondBrokerOutageIsInTheFactsTopicAfterwards() throws Exception {
    try (TestEngine engine = TestEngine.start(EdgeJournalTest.class,
        Map.of("roles", "edge,api", "kafka.bootstrap_servers", broker.bootstrap()))) {
      String code = link(engine);
      Set<String> answered = ConcurrentHashMap.newKeySet();
      AtomicBoolean loading = new AtomicBoolean(true);
      Thread[] clients = new Thread[2];
      for (int i = 0; i < clients.length; i++) {
        clients[i] = new Thread(() -> {
          while (loading.get()) {
            answered.add(click(engine, code));
            Http.sleep(10);
          }
        });
        clients[i].start();
      }
      Http.sleep(3_000);
      broker.stop();
      long stoppedAt = System.nanoTime();
      Http.sleep(60_000);
      int duringOutage = answered.size();
      broker.start();
      System.out.printf("broker down %d s%n", (System.nanoTime() - stoppedAt) / 1_000_000_000);
      Http.sleep(5_000);
      loading.set(false);
      for (Thread t : clients) {
        t.join();
      }
      awaitJournalEmpty(engine);
      Set<String> stored = JournalBroker.clickIds(broker.bootstrap(), engine.config().kafka().topicFacts(), answered,
          Duration.ofSeconds(60));
      Set<String> missing = new HashSet<>(answered);
      missing.removeAll(stored);
      assertTrue(missing.isEmpty(), missing.size() + " of " + answered.size() + " clicks answered 302 are missing");
      assertTrue(engine.metric("tracklane_journal_replayed_total") > 0, "the outage never reached the journal");
      assertEquals(0.0, engine.metric("tracklane_clicks_lost_total"));
      assertTrue(duringOutage > 1000, "too little load to mean anything: " + duringOutage);
    }
  }

  @Test
  void aJournalAtItsQuotaCountsEveryClickItCannotKeepAndLosesNoneSilently() {
    broker.stop();
    Set<String> answered = new HashSet<>();
    try (TestEngine engine = TestEngine.start(EdgeJournalTest.class, Map.of("roles", "edge",
        "kafka.bootstrap_servers", broker.bootstrap(), "edge.journal.quota_bytes", "30000",
        "edge.journal.segment_bytes", "4096", "edge.journal.high_water_bytes", "10000"))) {
      // Links through SQL: the API role is not needed, and the broker is down.
      String code = EdgeJournalChildTest.sqlLink(engine, "quota-link");
      for (int i = 0; i < 200; i++) {
        answered.add(click(engine, code));
      }
      double lost = engine.metric("tracklane_clicks_lost_total");
      assertTrue(lost > 0, "the quota was never reached");
      HttpResponse<String> ready = Http.get(engine.opsUrl() + "/health/ready");
      assertEquals(503, ready.statusCode());
      assertTrue(Http.json(ready).getJsonObject("components").getString("journal").startsWith("DOWN"), ready.body());
      broker.start();
      awaitJournalEmpty(engine);
      Set<String> stored = JournalBroker.clickIds(broker.bootstrap(), engine.config().kafka().topicFacts(),
          answered, Duration.ofSeconds(20));
      stored.retainAll(answered);
      assertEquals(answered.size(), stored.size() + (long) lost,
          "answered " + answered.size() + ", stored " + stored.size() + ", counted lost " + lost);
    } finally {
      broker.start();
    }
  }

  static void awaitJournalEmpty(TestEngine engine) {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (engine.metric("tracklane_journal_facts") > 0 || engine.metric("tracklane_edge_buffer_facts") > 0) {
      assertTrue(System.nanoTime() < deadline, "the journal was not replayed: "
          + engine.metric("tracklane_journal_facts") + " facts left");
      Http.sleep(250);
    }
  }

  private static String link(TestEngine engine) {
    Fixtures f = new Fixtures(engine, "EUR");
    String campaign = f.campaign(new io.vertx.core.json.JsonObject()).getString("id");
    String affiliate = f.affiliate(campaign, "journal@aff.example").getString("id");
    return f.link(campaign, affiliate).getString("code");
  }

  static String click(TestEngine engine, String code) {
    HttpResponse<String> r = Http.get(engine.edgeUrl() + "/r/" + code, "User-Agent", "Mozilla/5.0 Firefox/121.0");
    assertEquals(302, r.statusCode(), r.body());
    return Fixtures.query(r.headers().firstValue("Location").orElseThrow()).get("click_id");
  }
}
