package io.tracklane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis only saves the edge work (duplicate answers, unique-visitor flags, cache invalidation
 * across instances): when it hangs, redirects and postbacks still work and nothing doubles.
 */
@Timeout(120)
class RedisUnavailableTest {
  private static ServerSocket blackHole;
  private static TestEngine engine;

  @BeforeAll
  static void start() throws Exception {
    blackHole = new ServerSocket(0);
    engine = TestEngine.start(RedisUnavailableTest.class,
        Map.of("redis.url", "redis://127.0.0.1:" + blackHole.getLocalPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    blackHole.close();
    try {
      engine.close();
    } catch (IllegalStateException e) {
      // Deleting the test's Redis keys fails, and there are none: everything else is closed by then.
    }
  }

  @Test
  void redirectsAndPostbacksWorkWithoutRedisAndARepeatIsStillCreditedOnce() {
    Fixtures f = new Fixtures(engine, "EUR");
    JsonObject campaign = f.campaign(new JsonObject());
    JsonObject affiliate = f.affiliate(campaign.getString("id"), "noredis@partner.example");
    String code = f.link(campaign.getString("id"), affiliate.getString("id")).getString("code");
    String form = "transaction_id=no-redis-1&amount=12.00&click_id=" + f.click(code);
    HttpResponse<String> first = f.postback(form);
    HttpResponse<String> repeat = f.postback(form);
    assertEquals(200, first.statusCode(), first.body());
    assertEquals(200, repeat.statusCode(), repeat.body());
    assertEquals("accepted", Http.json(repeat).getString("status"), "without Redis the edge cannot know");
    JsonObject status = Http.json(Http.poll(Duration.ofSeconds(30),
        r -> "credited".equals(Http.json(r).getString("status")),
        engine.apiUrl() + "/postbacks/" + Http.json(first).getString("event_id"), "X-Api-Key", f.ownerKey));
    assertEquals("no-redis-1", status.getString("transaction_id"));
    String later = "transaction_id=no-redis-2&amount=1.00&click_id=" + f.click(code);
    Http.poll(Duration.ofSeconds(30), r -> "credited".equals(Http.json(r).getString("status")),
        engine.apiUrl() + "/postbacks/" + Http.json(f.postback(later)).getString("event_id"), "X-Api-Key", f.ownerKey);
    JsonObject commissions = Http.json(f.ownerGet("/commissions?limit=100"));
    assertEquals(2, commissions.getJsonObject("pagination").getLong("total_count"));
  }
}
