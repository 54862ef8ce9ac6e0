package io.tracklane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.config.AppConfig;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two processes (two Vert.x instances, no shared event bus) on the same database and Redis: a
 * change made through one's API reaches the other's edge cache within a second.
 */
@Timeout(120)
class CacheInvalidationTest {
  private static TestEngine full;
  private static TestEngine edgeOnly;

  @BeforeAll
  static void start() {
    full = TestEngine.start(CacheInvalidationTest.class);
    AppConfig c = full.config();
    edgeOnly = TestEngine.start(CacheInvalidationTest.class, Map.of("roles", "edge",
        "postgres.schema", c.postgres().schema(), "redis.key_prefix", c.redis().keyPrefix(),
        "kafka.topic_facts", c.kafka().topicFacts(), "kafka.topic_changes", c.kafka().topicChanges(),
        "kafka.topic_dead_letter", c.kafka().topicDeadLetter()));
  }

  @AfterAll
  static void stop() {
    edgeOnly.close();
    full.close();
  }

  @Test
  void disablingALinkThroughOneInstanceSendsTheOtherInstancesRedirectsToTheFallbackWithinASecond() {
    Fixtures f = new Fixtures(full, "EUR");
    JsonObject campaign = f.campaign(new JsonObject());
    JsonObject affiliate = f.affiliate(campaign.getString("id"), "cache@partner.example");
    JsonObject link = f.link(campaign.getString("id"), affiliate.getString("id"));
    String url = edgeOnly.edgeUrl() + "/r/" + link.getString("code");
    HttpResponse<String> before = Http.get(url);
    assertTrue(before.headers().firstValue("Location").orElseThrow().startsWith("https://shop.example/land"));

    HttpResponse<String> update = Http.put(full.apiUrl() + "/affiliate_links/" + link.getString("id"),
        "application/json", new JsonObject().put("state", "disabled").encode(), "X-Api-Key", f.ownerKey);
    assertEquals(200, update.statusCode(), update.body());
    long changed = System.nanoTime();
    Http.poll(Duration.ofSeconds(1), r -> "https://fallback.example/".equals(
        r.headers().firstValue("Location").orElse("")), url);
    assertTrue(System.nanoTime() - changed < 1_000_000_000L);
  }
}
