package io.tracklane.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class OpsEndpointsTest {

  @Test
  void readyWhilePostgresRedisAndKafkaAnswerAndMetricsCountClicks() {
    try (TestEngine engine = TestEngine.start(OpsEndpointsTest.class)) {
      HttpResponse<String> ready = Http.get(engine.opsUrl() + "/health/ready");
      assertEquals(200, ready.statusCode(), ready.body());
      assertEquals(new JsonObject().put("roles", "UP").put("postgres", "UP").put("redis", "UP").put("kafka", "UP")
          .put("journal", "UP"), Http.json(ready).getJsonObject("components"));
      assertEquals(200, Http.get(engine.opsUrl() + "/health/live").statusCode());

      Fixtures f = new Fixtures(engine, "EUR");
      JsonObject campaign = f.campaign(new JsonObject());
      JsonObject link = f.link(campaign.getString("id"),
          f.affiliate(campaign.getString("id"), "m@partner.example").getString("id"));
      f.click(link.getString("code"));
      HttpResponse<String> metrics = Http.poll(Duration.ofSeconds(10),
          r -> r.body().contains("tracklane_clicks_total 1.0"), engine.opsUrl() + "/metrics");
      assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "JVM metrics");
      assertTrue(metrics.body().contains("vertx_http_server_requests_total"), "Vert.x HTTP metrics");
      assertTrue(metrics.body().contains("tracklane_postbacks_total"), "our own counters");
    }
  }

  @Test
  void theEdgeIsNotReadyWhenKafkaIsUnreachableAndTheApiIsReadyButReportsIt() {
    int closed = TestEngine.freePort();
    // The edge needs Kafka (postbacks answer after the broker's ack): not ready without it.
    try (TestEngine engine = TestEngine.start(OpsEndpointsTest.class, Map.of("kafka.bootstrap_servers",
        "127.0.0.1:" + closed, "roles", "edge", "kafka.produce_timeout_ms", "500"))) {
      HttpResponse<String> ready = Http.get(engine.opsUrl() + "/health/ready");
      assertEquals(503, ready.statusCode(), ready.body());
      JsonObject components = Http.json(ready).getJsonObject("components");
      assertTrue(components.getString("kafka").startsWith("DOWN"), components.encode());
      assertEquals("UP", components.getString("roles"));
    }
    // The API serves from PostgreSQL: ready, with Kafka reported down in the body.
    try (TestEngine engine = TestEngine.start(OpsEndpointsTest.class, Map.of("kafka.bootstrap_servers",
        "127.0.0.1:" + closed, "roles", "api", "kafka.produce_timeout_ms", "500"))) {
      HttpResponse<String> ready = Http.get(engine.opsUrl() + "/health/ready");
      assertEquals(200, ready.statusCode(), ready.body());
      JsonObject body = Http.json(ready);
      assertEquals("UP", body.getJsonObject("components").getString("postgres"));
      assertTrue(body.getJsonObject("components").getString("kafka").startsWith("DOWN"), body.encode());
      assertEquals("kafka", body.getJsonArray("degraded").getString(0), body.encode());
    }
  }
}
