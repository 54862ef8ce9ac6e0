package io.tracklane.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.OwnServices;
import io.tracklane.testing.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An edge SIGKILLed while Kafka holds its clicks unacknowledged (its own broker frozen with
 * SIGSTOP: connections open, nothing answers). Written ahead (the default), the next start on the
 * same journal directory sends every click answered 302 to the facts topic; without write-ahead
 * the same kill loses the clicks the producer held, which shows the test bites.
 */
@Timeout(400)
class EdgeWriteAheadChildTest {
  private static final int CLICKS = 100;
  private static OwnServices.Kafka broker;

  @BeforeAll
  static void startBroker() {
    broker = new OwnServices.Kafka();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void everyClickAnswered302BeforeAKillIsInTheFactsTopicAfterTheRestart() throws Exception {
    Outcome o = killWhileKafkaIsFrozen(true, "wal-on");
    assertTrue(o.missing.isEmpty(), o.missing.size() + " of " + o.answered.size()
        + " clicks answered 302 are missing after the kill");
    assertTrue(o.replayed >= CLICKS, "replayed " + o.replayed);
  }

  @Test
  void withoutWriteAheadTheSameKillLosesTheClicksKafkaHadNotAcknowledged() throws Exception {
    Outcome o = killWhileKafkaIsFrozen(false, "wal-off");
    assertTrue(o.missing.size() >= CLICKS / 2, "only " + o.missing.size() + " of " + o.answered.size()
        + " lost: the kill did not catch the producer holding them, so the other test proves nothing");
  }

  private record Outcome(Set<String> answered, Set<String> missing, double replayed) {
  }

  private static Outcome killWhileKafkaIsFrozen(boolean writeAhead, String linkCode) throws Exception {
    try (TestEngine setup = TestEngine.start(EdgeWriteAheadChildTest.class,
        Map.of("roles", "api", "kafka.bootstrap_servers", broker.bootstrap()))) {
      String code = EdgeJournalChildTest.sqlLink(setup, linkCode);
      Map<String, String> child = new HashMap<>(setup.settingsView());
      int edgePort = TestEngine.freePort();
      child.put("roles", "edge");
      child.put("http.edge_port", Integer.toString(edgePort));
      child.put("http.ops_port", Integer.toString(TestEngine.freePort()));
      child.put("edge.journal.write_ahead", Boolean.toString(writeAhead));
      String url = "http://127.0.0.1:" + edgePort + "/r/" + code;
      Path log = Files.createTempFile("wal-edge", ".log");
      Process edge = EdgeJournalChildTest.start(child, log);
      Set<String> answered = new HashSet<>();
      try {
        Http.poll(Duration.ofSeconds(90), r -> r.statusCode() == 302, url);
        // Kafka takes clicks: the producer knows the topic, sends go straight to it.
        for (int i = 0; i < 20; i++) {
          answered.add(click(url));
        }
        Http.sleep(1_000);
        broker.freeze(true);
        for (int i = 0; i < CLICKS; i++) {
          answered.add(click(url));
        }
      } finally {
        edge.destroyForcibly(); // SIGKILL, right after the last 302
        edge.waitFor(30, TimeUnit.SECONDS);
        broker.freeze(false);
      }
      assertEquals(CLICKS + 20, answered.size(), Files.readString(log));

      Map<String, String> again = new HashMap<>(child);
      again.put("edge.journal.write_ahead", "true");
      try (TestEngine restarted = TestEngine.startSharing(EdgeWriteAheadChildTest.class, again)) {
        EdgeJournalTest.awaitJournalEmpty(restarted);
        Set<String> stored = JournalBroker.clickIds(broker.bootstrap(), restarted.config().kafka().topicFacts(),
            answered, Duration.ofSeconds(writeAhead ? 60 : 20));
        Set<String> missing = new HashSet<>(answered);
        missing.removeAll(stored);
        System.out.printf("write-ahead %s: %d answered, %d missing after the kill%n", writeAhead, answered.size(),
            missing.size());
        return new Outcome(answered, missing, restarted.metric("tracklane_journal_replayed_total"));
      }
    }
  }

  private static String click(String url) {
    var r = Http.get(url, "User-Agent", "Mozilla/5.0 Firefox/121.0");
    assertEquals(302, r.statusCode(), r.body());
    return Fixtures.query(r.headers().firstValue("Location").orElseThrow()).get("click_id");
  }
}
