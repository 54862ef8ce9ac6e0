package io.tracklane.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.Main;
import io.tracklane.config.ConfigSource;
import io.tracklane.testing.Http;
import io.tracklane.testing.KafkaBroker;
import io.tracklane.testing.Sql;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An edge killed with SIGKILL while its journal holds clicks (Kafka unreachable): the next start
 * on the same journal directory replays them, and every click answered 302 reaches the facts topic.
 */
@Timeout(300)
class EdgeJournalChildTest {

  @Test
  void aJournalLeftByAKilledEdgeIsReplayedByTheNextStart() throws Exception {
    try (TestEngine setup = TestEngine.start(EdgeJournalChildTest.class, Map.of("roles", "api"));
        ServerSocket blackHole = new ServerSocket(0)) {
      String code = sqlLink(setup, "killed-link");
      Map<String, String> child = new HashMap<>(setup.settingsView());
      int edgePort = TestEngine.freePort();
      child.put("roles", "edge");
      child.put("http.edge_port", Integer.toString(edgePort));
      child.put("http.ops_port", Integer.toString(TestEngine.freePort()));
      child.put("kafka.bootstrap_servers", "127.0.0.1:" + blackHole.getLocalPort());
      Path journal = Path.of(child.get("edge.journal.dir"));
      Path log = Files.createTempFile("killed-edge", ".log");
      Process edge = start(child, log);
      Set<String> answered = new HashSet<>();
      try {
        Http.poll(Duration.ofSeconds(90), r -> r.statusCode() == 302,
            "http://127.0.0.1:" + edgePort + "/r/" + code);
        for (int i = 0; i < 100; i++) {
          var r = Http.get("http://127.0.0.1:" + edgePort + "/r/" + code, "User-Agent", "Mozilla/5.0 Firefox/121.0");
          assertEquals(302, r.statusCode(), r.body());
          answered.add(io.tracklane.testing.Fixtures.query(r.headers().firstValue("Location").orElseThrow())
              .get("click_id"));
        }
        // Written by the journal's thread within milliseconds (then in the page cache, which a killed
        // process does not take with it).
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (journalBytes(journal) < answered.size() * 300L && System.nanoTime() < deadline) {
          Http.sleep(50);
        }
      } finally {
        edge.destroyForcibly(); // SIGKILL
        edge.waitFor(30, TimeUnit.SECONDS);
      }
      assertTrue(journalBytes(journal) > 0, "nothing journaled: " + Files.readString(log));

      Map<String, String> again = new HashMap<>(child);
      again.put("kafka.bootstrap_servers", KafkaBroker.bootstrapServers());
      try (TestEngine restarted = TestEngine.startSharing(EdgeJournalChildTest.class, again)) {
        EdgeJournalTest.awaitJournalEmpty(restarted);
        Set<String> stored = JournalBroker.clickIds(KafkaBroker.bootstrapServers(),
            restarted.config().kafka().topicFacts(), answered, Duration.ofSeconds(30));
        Set<String> missing = new HashSet<>(answered);
        missing.removeAll(stored);
        assertTrue(missing.isEmpty(), missing.size() + " of " + answered.size() + " clicks were not replayed");
        assertTrue(restarted.metric("tracklane_journal_replayed_total") >= answered.size());
      }
    }
  }

  private static long journalBytes(Path dir) throws java.io.IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static Process start(Map<String, String> settings, Path output) throws java.io.IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "serve"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith(ConfigSource.ENV_PREFIX));
    settings.forEach((k, v) -> pb.environment().put(ConfigSource.envName(k), v));
    pb.directory(new File(System.getProperty("user.dir")));
    return pb.start();
  }

  /** A link of a new program, written straight to the database. */
  static String sqlLink(TestEngine engine, String code) {
    JsonObject program = engine.createProgram("Journal", "UTC", "EUR");
    long programId = Long.parseLong(program.getString("program_id"));
    Sql.query(engine, """
        WITH c AS (INSERT INTO campaigns (program_id, name, landing_page_url, currency, reward_type)
                   VALUES (?, 'c', 'https://shop.example/land', 'EUR', 'percent') RETURNING id),
             a AS (INSERT INTO affiliates (program_id, email) VALUES (?, 'a@p.example') RETURNING id),
             e AS (INSERT INTO enrollments (program_id, campaign_id, affiliate_id)
                   SELECT ?, c.id, a.id FROM c, a RETURNING campaign_id, affiliate_id)
        INSERT INTO links (program_id, campaign_id, affiliate_id, code)
        SELECT ?, campaign_id, affiliate_id, ? FROM e RETURNING id""", programId, programId, programId, programId,
        code);
    return code;
  }
}
