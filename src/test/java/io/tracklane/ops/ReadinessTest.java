package io.tracklane.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.OwnServices;
import io.tracklane.testing.Sql;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Readiness is true per role, against dependencies this test owns and stops: its own broker (stopped
 * and frozen with SIGSTOP), its own Redis and its own PostgreSQL cluster.
 */
@Timeout(400)
class ReadinessTest {

  @Test
  void theEdgeIsNotReadyWithinSecondsOfItsBrokerFreezingOrDyingAndReadyAgainWhenItAnswers() {
    try (OwnServices.Kafka kafka = new OwnServices.Kafka();
        TestEngine edge = TestEngine.start(ReadinessTest.class, Map.of("roles", "edge",
            "kafka.bootstrap_servers", kafka.bootstrap()))) {
      awaitReady(edge, 200, Duration.ofSeconds(60));

      kafka.freeze(true);
      long frozenAt = System.nanoTime();
      HttpResponse<String> down = awaitReady(edge, 503, Duration.ofSeconds(10));
      assertTrue(seconds(frozenAt) < 5, "not ready " + seconds(frozenAt) + " s after the broker froze");
      assertTrue(Http.json(down).getJsonObject("components").getString("kafka").startsWith("DOWN"), down.body());
      assertEquals(0.0, edge.metric("tracklane_ready"));

      kafka.freeze(false);
      awaitReady(edge, 200, Duration.ofSeconds(20));

      kafka.stop();
      long stoppedAt = System.nanoTime();
      awaitReady(edge, 503, Duration.ofSeconds(10));
      assertTrue(seconds(stoppedAt) < 5, "not ready " + seconds(stoppedAt) + " s after the broker died");
    }
  }

  @Test
  void redisIsReportedButOptionalAndRepeatClicksAreStillFlaggedWithoutIt() {
    try (OwnServices.Redis redis = new OwnServices.Redis();
        TestEngine engine = TestEngine.start(ReadinessTest.class, Map.of("redis.url", redis.url()))) {
      awaitReady(engine, 200, Duration.ofSeconds(30));
      Fixtures f = new Fixtures(engine, "EUR");
      JsonObject campaign = f.campaign(new JsonObject());
      JsonObject affiliate = f.affiliate(campaign.getString("id"), "redis@partner.example");
      String code = f.link(campaign.getString("id"), affiliate.getString("id")).getString("code");
      String ua = "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0";
      assertEquals(302, Http.get(engine.edgeUrl() + "/r/" + code, "User-Agent", ua).statusCode());

      redis.stop();
      HttpResponse<String> ready = awaitReady(engine, 200, Duration.ofSeconds(5));
      Http.poll(Duration.ofSeconds(10), r -> r.statusCode() == 200
          && Http.json(r).getJsonObject("components").getString("redis").startsWith("DOWN"),
          engine.opsUrl() + "/health/ready");
      ready = Http.get(engine.opsUrl() + "/health/ready");
      assertEquals("redis", Http.json(ready).getJsonArray("degraded").getString(0), ready.body());

      // The same visitor again, with Redis gone: flagged in process, not taken as unique.
      assertEquals(302, Http.get(engine.edgeUrl() + "/r/" + code, "User-Agent", ua).statusCode());
      List<Map<String, Object>> clicks = Sql.awaitRows(engine, 2,
          "SELECT flags FROM clicks WHERE program_id = ? ORDER BY created_at", f.programId);
      assertEquals(List.of(), clicks.get(0).get("flags"));
      assertEquals(List.of("duplicate"), clicks.get(1).get("flags"));
      // The redirect no longer asks Redis (the unique flag is decided in process); a postback's
      // duplicate check still does, and falls back.
      assertEquals(200, f.postback("transaction_id=redis-down-1&amount=1.00&customer_id=c-1").statusCode());
      Http.poll(Duration.ofSeconds(5), r -> r.body().contains("tracklane_redis_fallbacks_total{reason=\"unavailable\"}"),
          engine.opsUrl() + "/metrics");
      redis.start();
    }
  }

  @Test
  void postgresDownFailsTheApiAndLedgerButNotTheEdgeAndTheLedgerResumesWithinSecondsOfItsReturn() {
    try (OwnServices.Postgres pg = new OwnServices.Postgres();
        TestEngine core = TestEngine.start(ReadinessTest.class, Map.of("roles", "api,ledger",
            "postgres.port", Integer.toString(pg.port), "postgres.database", "postgres"));
        TestEngine edge = core.startAnother(ReadinessTest.class, Map.of("roles", "edge"))) {
      awaitReady(core, 200, Duration.ofSeconds(30));
      awaitReady(edge, 200, Duration.ofSeconds(30));
      Fixtures f = new Fixtures(core, "EUR");
      JsonObject campaign = f.campaign(new JsonObject());
      JsonObject affiliate = f.affiliate(campaign.getString("id"), "pg@partner.example");
      String code = f.link(campaign.getString("id"), affiliate.getString("id")).getString("code");
      HttpResponse<String> warm = Http.poll(Duration.ofSeconds(10), r -> r.statusCode() == 302,
          edge.edgeUrl() + "/r/" + code);
      // The edge learns the program behind the postback token once, then serves it from its cache.
      String warmClick = Fixtures.query(warm.headers().firstValue("Location").orElseThrow()).get("click_id");
      HttpResponse<String> warmPostback = Http.post(edge.edgeUrl() + "/postback", "application/x-www-form-urlencoded",
          "transaction_id=pg-up-1&amount=10.00&click_id=" + warmClick, "X-Postback-Token", f.postbackToken);
      assertEquals(200, warmPostback.statusCode(), warmPostback.body());

      pg.stop();
      HttpResponse<String> coreDown = awaitReady(core, 503, Duration.ofSeconds(10));
      assertTrue(Http.json(coreDown).getJsonObject("components").getString("postgres").startsWith("DOWN"));
      HttpResponse<String> edgeUp = Http.get(edge.opsUrl() + "/health/ready");
      assertEquals(200, edgeUp.statusCode(), "the edge serves from its caches: " + edgeUp.body());
      assertTrue(Http.json(edgeUp).getJsonObject("components").getString("postgres").startsWith("DOWN"));

      // The API answers 503 with Retry-After (a connection failure), never 500.
      Http.sleep(11_000); // past api.key_cache_seconds, so the key lookup itself meets the outage too
      HttpResponse<String> api = f.ownerGet("/campaigns");
      assertEquals(503, api.statusCode(), api.body());
      assertTrue(api.headers().firstValue("Retry-After").isPresent());

      // The edge still redirects and accepts postbacks (Kafka has them); the ledger writes them later.
      HttpResponse<String> r = Http.get(edge.edgeUrl() + "/r/" + code);
      assertEquals(302, r.statusCode());
      String clickId = Fixtures.query(r.headers().firstValue("Location").orElseThrow()).get("click_id");
      HttpResponse<String> pb = Http.post(edge.edgeUrl() + "/postback", "application/x-www-form-urlencoded",
          "transaction_id=pg-down-1&amount=10.00&click_id=" + clickId, "X-Postback-Token", f.postbackToken);
      assertEquals(200, pb.statusCode(), pb.body());
      Http.sleep(3_000); // the ledger's retries reach their cap

      pg.start();
      long back = System.nanoTime();
      Sql.awaitRows(core, 1, "SELECT 1 FROM conversions WHERE program_id = ? AND transaction_id = 'pg-down-1'",
          f.programId);
      double resumed = seconds(back);
      assertTrue(resumed < 5, "the ledger wrote " + resumed + " s after PostgreSQL returned");
      awaitReady(core, 200, Duration.ofSeconds(10));
    }
  }

  private static HttpResponse<String> awaitReady(TestEngine engine, int status, Duration timeout) {
    return Http.poll(timeout, r -> r.statusCode() == status, engine.opsUrl() + "/health/ready");
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
