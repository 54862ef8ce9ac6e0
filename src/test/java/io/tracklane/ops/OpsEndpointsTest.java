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
  void notReadyWhenKafkaIsUnreachable() {
    int closed = TestEngine.freePort();
    // Topics cannot be created without a broker, so only the API role starts; readiness must say DOWN.
    Map<String, String> noKafka = Map.of("kafka.bootstrap_servers", "127.0.0.1:" + closed, "roles", "api",
        "kafka.produce_timeout_ms", "500");
    try (TestEngine engine = TestEngine.start(OpsEndpointsTest.class, noKafka)) {
      HttpResponse<String> ready = Http.get(engine.opsUrl() + "/health/ready");
      assertEquals(503, ready.statusCode(), ready.body());
      JsonObject components = Http.json(ready).getJsonObject("components");
      assertEquals("UP", components.getString("postgres"));
      assertTrue(components.getString("kafka").startsWith("DOWN"), components.encode());
    }
  }
}
