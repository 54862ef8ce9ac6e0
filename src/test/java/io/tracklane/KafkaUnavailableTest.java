package io.tracklane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Http;
import io.tracklane.testing.Sql;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An edge whose Kafka is unreachable: it still starts and redirects (the click waits in the local
 * journal), but postbacks and readiness answer 503 with Retry-After, never a 2xx.
 */
@Timeout(120)
class KafkaUnavailableTest {
  private static ServerSocket blackHole;
  private static TestEngine engine;
  private static JsonObject program;

  @BeforeAll
  static void start() throws Exception {
    // A port that accepts connections and never answers: the worst kind of broken broker.
    blackHole = new ServerSocket(0);
    engine = TestEngine.start(KafkaUnavailableTest.class, Map.of("roles", "edge",
        "kafka.bootstrap_servers", "127.0.0.1:" + blackHole.getLocalPort(), "kafka.produce_timeout_ms", "500"));
    program = engine.createProgram("Down", "UTC", "EUR");
  }

  @AfterAll
  static void stop() throws Exception {
    engine.close();
    blackHole.close();
  }

  @Test
  void aPostbackIs503WithRetryAfterWhenKafkaCannotTakeIt() {
    HttpResponse<String> r = Http.post(engine.edgeUrl() + "/postback", "application/x-www-form-urlencoded",
        "transaction_id=t-1&amount=1.00&customer_id=c-1", "X-Postback-Token", program.getString("postback_token"));
    assertEquals(503, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Retry-After").isPresent());
    assertTrue(Http.json(r).getString("error").contains("retry"), r.body());
  }

  @Test
  void readinessIs503WhileKafkaIsDown() {
    HttpResponse<String> r = Http.get(engine.opsUrl() + "/health/ready");
    assertEquals(503, r.statusCode(), r.body());
    assertTrue(Http.json(r).getJsonObject("components").getString("kafka").startsWith("DOWN"), r.body());
  }

  @Test
  void aClickIsRedirectedAtOnceAndJournaledWhenKafkaIsDown() {
    long programId = Long.parseLong(program.getString("program_id"));
    Sql.query(engine, """
        WITH c AS (INSERT INTO campaigns (program_id, name, landing_page_url, currency, reward_type)
                   VALUES (?, 'c', 'https://shop.example/land', 'EUR', 'percent') RETURNING id),
             a AS (INSERT INTO affiliates (program_id, email) VALUES (?, 'a@p.example') RETURNING id),
             e AS (INSERT INTO enrollments (program_id, campaign_id, affiliate_id)
                   SELECT ?, c.id, a.id FROM c, a RETURNING campaign_id, affiliate_id)
        INSERT INTO links (program_id, campaign_id, affiliate_id, code)
        SELECT ?, campaign_id, affiliate_id, 'down-link' FROM e RETURNING id""", programId, programId, programId,
        programId);
    long started = System.nanoTime();
    HttpResponse<String> r = Http.get(engine.edgeUrl() + "/r/down-link", "User-Agent", "Mozilla/5.0 Firefox/121.0");
    assertEquals(302, r.statusCode(), r.body());
    assertTrue(System.nanoTime() - started < 400_000_000L, "the redirect waited for Kafka");
    Http.poll(java.time.Duration.ofSeconds(10), m -> m.body().contains("tracklane_journal_facts 1.0")
        && m.body().contains("tracklane_clicks_lost_total 0.0"),
        engine.opsUrl() + "/metrics");
  }
}
