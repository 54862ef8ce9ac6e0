package io.tracklane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * OWASP API2:2023, broken authentication. Each way of presenting a wrong, stale or misplaced key is
 * a 401 for a read and for a write, and the write changes nothing; failures from one address are
 * limited.
 */
@Timeout(300)
class AuthenticationTest {
  private static final String CAMPAIGN = new JsonObject().put("name", "Intruder").put("landing_page_url",
      "https://alpha.example/").put("reward_type", "amount").put("commission_amount_cents", 100).encode();

  private static World world;
  private static String admin;

  @BeforeAll
  static void start() {
    world = new World(AuthenticationTest.class, Map.of());
    admin = world.engine.ownerKey(world.a.owner.programId, "admin");
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  /** A way to present credentials: the request's path suffix and headers, given a valid admin key. */
  record Presentation(Function<String, String> query, Function<String, String[]> headers) {
  }

  private static Map<String, Presentation> refused() {
    Map<String, Presentation> cases = new LinkedHashMap<>();
    cases.put("no key", headers(k -> new String[0]));
    cases.put("a malformed key", headers(k -> new String[] {"X-Api-Key", "sk_!!not a key!!"}));
    cases.put("a malformed Basic token", headers(k -> new String[] {"Authorization", "Basic %%%not-base64"}));
    cases.put("a wrong prefix", headers(k -> new String[] {"X-Api-Key", "pk_" + k.substring(3)}));
    cases.put("an owner key sent as an affiliate key", headers(k -> new String[] {"X-Api-Key", "ak_" + k.substring(3)}));
    cases.put("a truncated key", headers(k -> new String[] {"X-Api-Key", k.substring(0, k.length() - 1)}));
    cases.put("a key with a character more", headers(k -> new String[] {"X-Api-Key", k + "x"}));
    cases.put("a key in upper case", headers(k -> new String[] {"X-Api-Key", k.toUpperCase()}));
    cases.put("the key as a Bearer token", headers(k -> new String[] {"Authorization", "Bearer " + k}));
    cases.put("the key in the query string", new Presentation(k -> "?api_key=" + k + "&key=" + k + "&X-Api-Key="
        + k, k -> new String[0]));
    cases.put("Basic with the key as password", headers(k -> basic("admin:" + k)));
    cases.put("Basic with a user name and a password", headers(k -> basic("admin:hunter2")));
    cases.put("Basic with the key and a password", headers(k -> basic(k + ":hunter2")));
    cases.put("a blank X-Api-Key", headers(k -> new String[] {"X-Api-Key", " "}));
    cases.put("a blank X-Api-Key beside a valid Basic key", headers(k -> {
      String[] basic = Http.basic(k);
      return new String[] {"X-Api-Key", " ", basic[0], basic[1]};
    }));
    cases.put("an empty Basic user name", headers(k -> basic(":" + k)));
    return cases;
  }

  @TestFactory
  Stream<DynamicTest> eachWrongPresentationIsRefusedAndChangesNothing() {
    return refused().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
      Presentation p = e.getValue();
      String before = world.snapshot();
      HttpResponse<String> read = Http.get(world.engine.apiUrl() + "/campaigns" + p.query().apply(admin),
          p.headers().apply(admin));
      assertEquals(401, read.statusCode(), e.getKey() + ": " + read.body());
      assertEquals(List.of("error"), List.copyOf(Http.json(read).fieldNames()), read.body());
      HttpResponse<String> write = Http.post(world.engine.apiUrl() + "/campaigns" + p.query().apply(admin),
          "application/json", CAMPAIGN, p.headers().apply(admin));
      assertEquals(401, write.statusCode(), e.getKey() + ": " + write.body());
      assertEquals(before, world.snapshot(), e.getKey() + " changed something");
    }));
  }

  @Test
  void theValidKeyItselfIsAccepted() {
    assertEquals(200, Http.get(world.engine.apiUrl() + "/campaigns", "X-Api-Key", admin).statusCode());
    assertEquals(200, Http.get(world.engine.apiUrl() + "/campaigns", Http.basic(admin)).statusCode());
  }

  @Test
  void aRevokedKeyIsRefusedWithinASecondForReadsAndWrites() {
    JsonObject created = world.a.owner.create("/api_keys", new JsonObject().put("label", "leaked").put("role",
        "manager"), 201);
    String key = created.getString("key");
    assertEquals(200, Http.get(world.engine.apiUrl() + "/campaigns", Http.basic(key)).statusCode());
    HttpResponse<String> revoke = Http.delete(world.engine.apiUrl() + "/api_keys/" + created.getString("id"),
        Http.basic(admin));
    assertTrue(revoke.statusCode() == 200 || revoke.statusCode() == 204, revoke.body());
    Http.poll(Duration.ofSeconds(1), r -> r.statusCode() == 401, world.engine.apiUrl() + "/campaigns",
        Http.basic(key));
    String before = world.snapshot();
    HttpResponse<String> write = Http.post(world.engine.apiUrl() + "/campaigns", "application/json", CAMPAIGN,
        Http.basic(key));
    assertEquals(401, write.statusCode(), write.body());
    assertEquals(before, world.snapshot());
  }

  @Test
  void anExpiredKeyIsRefused() {
    Instant expires = Instant.now().plusSeconds(2);
    String key = world.a.owner.create("/api_keys", new JsonObject().put("label", "short-lived").put("role", "manager")
        .put("expires_at", expires.toString()), 201).getString("key");
    assertEquals(200, Http.get(world.engine.apiUrl() + "/campaigns", Http.basic(key)).statusCode());
    while (Instant.now().isBefore(expires.plusMillis(200))) {
      Http.sleep(100);
    }
    HttpResponse<String> late = Http.get(world.engine.apiUrl() + "/campaigns", Http.basic(key));
    assertEquals(401, late.statusCode(), late.body());
    assertTrue(Http.json(late).getString("error").contains("expired"), late.body());
    String before = world.snapshot();
    assertEquals(401, Http.post(world.engine.apiUrl() + "/campaigns", "application/json", CAMPAIGN,
        Http.basic(key)).statusCode());
    assertEquals(before, world.snapshot());
  }

  @Test
  void failedAuthenticationsFromOneAddressAreLimitedEvenForAValidKeyAfterwards() {
    try (TestEngine limited = TestEngine.start(AuthenticationTest.class, Map.of("api.auth_failures.limit", "3"))) {
      JsonObject program = limited.createProgram("Limited", "Europe/Paris", "EUR");
      String valid = program.getString("api_key");
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r = Http.get(limited.apiUrl() + "/campaigns", "X-Api-Key", "sk_guess" + i);
        assertEquals(401, r.statusCode(), r.body());
      }
      HttpResponse<String> blocked = Http.get(limited.apiUrl() + "/campaigns", "X-Api-Key", "sk_guess4");
      assertEquals(429, blocked.statusCode(), blocked.body());
      assertTrue(Long.parseLong(blocked.headers().firstValue("Retry-After").orElseThrow()) > 0);
      HttpResponse<String> stillBlocked = Http.get(limited.apiUrl() + "/campaigns", "X-Api-Key", valid);
      assertEquals(429, stillBlocked.statusCode(), "a guesser that finds a key learns nothing while blocked");
    }
  }

  private static Presentation headers(Function<String, String[]> headers) {
    return new Presentation(k -> "", headers);
  }

  private static String[] basic(String userColonPassword) {
    return new String[] {"Authorization", "Basic " + Base64.getEncoder().encodeToString(
        userColonPassword.getBytes(StandardCharsets.UTF_8))};
  }
}
