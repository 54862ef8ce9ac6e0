package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.cli.ProgramAdmin;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limits at their defaults (45 requests per 30 s per key, 20 failed authentications per address
 * per minute), counted in Redis across two engines that share it. Both trust 127.0.0.1 as a load
 * balancer, so each test speaks from its own client address through X-Forwarded-For.
 */
@Timeout(120)
class RateLimitTest {
  private static final Map<String, String> LIMITS = Map.of("api.rate_limit.requests", "45",
      "api.rate_limit.window_seconds", "30", "api.auth_failures.limit", "20", "api.auth_failures.window_seconds",
      "60", "edge.trusted_proxies", "127.0.0.1");

  private static TestEngine engine;
  private static TestEngine other;
  private static Fixtures owner;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(RateLimitTest.class, LIMITS);
    other = engine.startAnother(RateLimitTest.class, Map.of("roles", "api"));
    owner = new Fixtures(engine, "EUR");
  }

  @AfterAll
  static void stop() {
    other.close();
    engine.close();
  }

  @Test
  void the46thRequestOfAKeyWithin30SecondsIs429WithTheHeadersAcrossInstances() {
    String key = key(new JsonObject().put("role", "reporting"));
    for (int i = 1; i <= 45; i++) {
      HttpResponse<String> r = get(i % 2 == 0 ? engine : other, "/campaigns", key, "198.51.100.1");
      assertEquals(200, r.statusCode(), "request " + i + ": " + r.body());
      assertEquals("45", header(r, "X-RateLimit-Limit"));
      assertEquals(Integer.toString(45 - i), header(r, "X-RateLimit-Remaining"), "request " + i);
      long reset = Long.parseLong(header(r, "X-RateLimit-Reset"));
      assertTrue(reset >= 1 && reset <= 30, "reset " + reset);
    }
    HttpResponse<String> over = get(engine, "/campaigns", key, "198.51.100.1");
    assertEquals(429, over.statusCode());
    assertTrue(Http.json(over).getString("error").startsWith("rate limit exceeded"), over.body());
    assertEquals("45", header(over, "X-RateLimit-Limit"));
    assertEquals("0", header(over, "X-RateLimit-Remaining"));
    long retry = Long.parseLong(header(over, "Retry-After"));
    assertTrue(retry >= 1 && retry <= 30, "Retry-After " + retry);
    assertEquals(429, get(other, "/campaigns", key, "198.51.100.1").statusCode());
    assertEquals(200, get(other, "/campaigns", key(new JsonObject().put("role", "reporting")), "198.51.100.1")
        .statusCode(), "another key has its own count");
  }

  @Test
  void everyAnswerAfterAuthenticationCarriesTheHeaders() {
    String key = key(new JsonObject().put("role", "reporting"));
    List<HttpResponse<String>> answers = List.of(
        get(engine, "/campaigns", key, "198.51.100.2"),
        get(other, "/campaigns/999999999", key, "198.51.100.2"),
        get(engine, "/campaigns?limit=101", key, "198.51.100.2"),
        get(other, "/no-such-endpoint", key, "198.51.100.2"),
        Http.post(engine.apiUrl() + "/campaigns", "application/json", "{}", "X-Api-Key", key));
    int[] statuses = {200, 404, 400, 404, 403};
    for (int i = 0; i < statuses.length; i++) {
      HttpResponse<String> answer = answers.get(i);
      assertEquals(statuses[i], answer.statusCode(), answer.body());
      assertEquals("45", header(answer, "X-RateLimit-Limit"));
      assertEquals(Integer.toString(44 - i), header(answer, "X-RateLimit-Remaining"));
      assertTrue(Long.parseLong(header(answer, "X-RateLimit-Reset")) >= 1);
    }
  }

  @Test
  void aKeyMayHaveItsOwnLimit() {
    String key = key(new JsonObject().put("role", "reporting").put("rate_limit", 3));
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> r = get(i == 2 ? other : engine, "/campaigns", key, "198.51.100.3");
      assertEquals(200, r.statusCode());
      assertEquals("3", header(r, "X-RateLimit-Limit"));
    }
    HttpResponse<String> over = get(engine, "/campaigns", key, "198.51.100.3");
    assertEquals(429, over.statusCode());
    assertEquals("3", header(over, "X-RateLimit-Limit"));
  }

  @Test
  void aProgramMayHaveItsOwnLimitAndItsKeysTheirs() {
    Fixtures program = new Fixtures(engine, "USD");
    TestEngine.await(new ProgramAdmin(engine.engine().pool()).setRateLimit(program.programId, 4));
    JsonObject created = program.create("/api_keys", new JsonObject().put("label", "own").put("role", "reporting")
        .put("rate_limit", 6), 201);
    for (int i = 2; i <= 4; i++) { // the owner key's first request created the key
      HttpResponse<String> r = get(other, "/campaigns", program.ownerKey, "198.51.100.4");
      assertEquals(200, r.statusCode());
      assertEquals("4", header(r, "X-RateLimit-Limit"));
    }
    assertEquals(429, get(engine, "/campaigns", program.ownerKey, "198.51.100.4").statusCode());
    HttpResponse<String> own = get(engine, "/campaigns", created.getString("key"), "198.51.100.4");
    assertEquals(200, own.statusCode());
    assertEquals("6", header(own, "X-RateLimit-Limit"));
  }

  @Test
  void anAddressPastTwentyFailedAuthenticationsIs429BeforeAnyKeyLookup() {
    String valid = key(new JsonObject().put("role", "reporting"));
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = get(i % 2 == 0 ? engine : other, "/campaigns", "sk_wrong" + i, "203.0.113.66");
      assertEquals(401, r.statusCode(), "failure " + (i + 1));
    }
    double lookups = engine.metric("tracklane_api_key_lookups_total");
    HttpResponse<String> blocked = get(engine, "/campaigns", "sk_never-looked-up", "203.0.113.66");
    assertEquals(429, blocked.statusCode());
    long retry = Long.parseLong(header(blocked, "Retry-After"));
    assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
    assertEquals(429, get(other, "/campaigns", valid, "203.0.113.66").statusCode(), "even with a good key");
    assertEquals(lookups, engine.metric("tracklane_api_key_lookups_total"), 0.0, "no key was looked up");
    assertEquals(200, get(engine, "/campaigns", valid, "203.0.113.67").statusCode(), "other addresses go on");
  }

  private static String key(JsonObject fields) {
    return owner.create("/api_keys", fields.put("label", "limited"), 201).getString("key");
  }

  private static HttpResponse<String> get(TestEngine on, String path, String key, String clientAddress) {
    return Http.get(on.apiUrl() + path, "X-Api-Key", key, "X-Forwarded-For", clientAddress);
  }

  private static String header(HttpResponse<String> r, String name) {
    return r.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " on " + r.statusCode()));
  }
}
