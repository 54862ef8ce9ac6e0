package io.tracklane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.security.World.Op;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * OWASP API4:2023, unrestricted resource consumption. Page sizes are capped, bodies and request
 * parts are bounded (a clear 4xx, never a 500), and a key's requests are rate limited.
 */
@Timeout(300)
class ResourceConsumptionTest {
  private static final int BODY_LIMIT = 4096;
  private static final List<String> BAD_PAGING = List.of("limit=101", "limit=0", "limit=-1", "limit=99999999999",
      "limit=1e9", "limit=ten", "page=0", "page=-1", "page=99999999999");

  private static World world;
  private static String admin;
  private static String affiliateKey;

  @BeforeAll
  static void start() {
    world = new World(ResourceConsumptionTest.class, Map.of("http.body_limit_bytes", Integer.toString(BODY_LIMIT)));
    admin = world.engine.ownerKey(world.a.owner.programId, "admin");
    affiliateKey = world.engine.affiliateKey(world.a.owner.programId, Long.parseLong(world.a.affiliateIds.get(0)));
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @TestFactory
  Stream<DynamicTest> everyCollectionCapsItsPageSize() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : world.operations()) {
      if (!op.method().equals("get") || op.path().contains("{") || op.id().equals("getOpenApiDocument")) {
        continue;
      }
      String key = op.partnerApi() ? affiliateKey : admin;
      tests.add(DynamicTest.dynamicTest(op.id(), () -> {
        HttpResponse<String> plain = world.call("get", op.path(), null, key);
        assertEquals(200, plain.statusCode(), plain.body());
        if (plain.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
          return; // the event stream: no pages; its bounds (streams per key, a slow reader cut off) are EventStreamTest's
        }
        if (!Http.json(plain).containsKey("pagination")) {
          return; // a single object (the affiliate's settings), nothing to page
        }
        assertEquals(25, Http.json(plain).getJsonObject("pagination").getInteger("limit"), "the default page");
        HttpResponse<String> most = world.call("get", op.path() + "?limit=100", null, key);
        assertEquals(200, most.statusCode(), most.body());
        assertTrue(Http.json(most).getJsonArray("data").size() <= 100);
        HttpResponse<String> far = world.call("get", op.path() + "?page=1000000&limit=100", null, key);
        assertEquals(200, far.statusCode(), far.body());
        assertEquals(0, Http.json(far).getJsonArray("data").size());
        for (String query : BAD_PAGING) {
          HttpResponse<String> r = world.call("get", op.path() + "?" + query, null, key);
          assertEquals(400, r.statusCode(), op.id() + "?" + query + ": " + r.body());
        }
        // A repeated parameter cannot slip a second, larger value past the cap.
        for (String query : List.of("limit=5&limit=500", "limit=500&limit=5")) {
          HttpResponse<String> r = world.call("get", op.path() + "?" + query, null, key);
          assertTrue(r.statusCode() == 400 || Http.json(r).getJsonObject("pagination").getInteger("limit") <= 100,
              op.id() + "?" + query + ": " + r.body());
        }
      }));
    }
    return tests.stream();
  }

  @Test
  void aBodyOverTheLimitIs413AndChangesNothing() {
    String before = world.snapshot();
    String big = new JsonObject().put("name", "Big").put("landing_page_url", "https://alpha.example/")
        .put("reward_type", "amount").put("commission_amount_cents", 100).put("description", "x".repeat(BODY_LIMIT))
        .encode();
    HttpResponse<String> api = Http.post(world.engine.apiUrl() + "/campaigns", "application/json", big,
        Http.basic(admin));
    assertEquals(413, api.statusCode(), api.body());
    int port = world.engine.config().http().apiPort();
    assertEquals(413, Http.rawStatus(port, "POST", "/api/v1/campaigns", "application/json", "{\"a\":\""
        + "x".repeat(10 * BODY_LIMIT) + "\"}"));
    HttpResponse<String> edge = Http.post(world.engine.edgeUrl() + "/postback", "application/x-www-form-urlencoded",
        "transaction_id=BIG&amount=1.00&note=" + "x".repeat(BODY_LIMIT), "X-Postback-Token",
        world.a.owner.postbackToken);
    assertEquals(413, edge.statusCode(), edge.body());
    assertEquals(before, world.snapshot());
  }

  @Test
  void longValuesManyParametersAndHugeRequestLinesAreClientErrors() {
    int api = world.engine.config().http().apiPort();
    int edge = world.engine.config().http().edgePort();
    String auth = "Authorization: " + Http.basic(admin)[1];
    List<String> targets = List.of(
        "/api/v1/commissions?created_after=" + "9".repeat(10_000),
        "/api/v1/referrals?email=" + "a".repeat(5_000) + "@x.example",
        "/api/v1/commissions?expand=" + "sale,".repeat(2_000) + "sale",
        "/api/v1/campaigns?" + "state=active&".repeat(2_000) + "limit=5",
        "/api/v1/commissions?" + "x".repeat(60_000) + "=1",
        "/api/v1/campaigns/" + "9".repeat(5_000));
    for (String target : targets) {
      int status = Http.raw(api, "GET", target, null, auth).status();
      assertTrue(status >= 400 && status < 500, target.substring(0, 60) + "... answered " + status);
    }
    for (String target : List.of("/r/" + "a".repeat(20_000), "/postback?" + "a=1&".repeat(5_000))) {
      int status = Http.rawStatus(edge, "GET " + target);
      assertTrue(status >= 300 && status < 500, "edge " + target.substring(0, 20) + "... answered " + status);
    }
    String manyHeaders = "X-Pad: " + "p".repeat(100_000);
    int status = Http.raw(api, "GET", "/api/v1/campaigns", null, auth, manyHeaders).status();
    assertTrue(status >= 400 && status < 500, "a 100 kB header answered " + status);
  }

  @Test
  void theRequestPastAKeysLimitIs429WithRetryAfterAndChangesNothing() {
    int limit = 5;
    try (TestEngine limited = TestEngine.start(ResourceConsumptionTest.class, Map.of("api.rate_limit.requests",
        Integer.toString(limit), "api.rate_limit.window_seconds", "60"))) {
      JsonObject program = limited.createProgram("Limited", "Europe/Paris", "EUR");
      String key = program.getString("api_key");
      for (int i = 1; i <= limit; i++) {
        HttpResponse<String> r = Http.get(limited.apiUrl() + "/campaigns", Http.basic(key));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Integer.toString(limit), r.headers().firstValue("X-RateLimit-Limit").orElseThrow());
        assertEquals(Integer.toString(limit - i), r.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        assertTrue(r.headers().firstValue("X-RateLimit-Reset").isPresent());
      }
      HttpResponse<String> over = Http.post(limited.apiUrl() + "/campaigns", "application/json", new JsonObject()
          .put("name", "Over").put("landing_page_url", "https://a.example/").put("reward_type", "amount")
          .put("commission_amount_cents", 1).encode(), Http.basic(key));
      assertEquals(429, over.statusCode(), over.body());
      long retryAfter = Long.parseLong(over.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
      assertEquals("0", over.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
      assertEquals(Integer.toString(limit), over.headers().firstValue("X-RateLimit-Limit").orElseThrow());
      assertTrue(over.headers().firstValue("X-RateLimit-Reset").isPresent());
      String other = limited.ownerKey(Long.parseLong(program.getString("program_id")), "admin");
      HttpResponse<String> list = Http.get(limited.apiUrl() + "/campaigns", Http.basic(other));
      assertEquals(200, list.statusCode(), "another key has its own budget");
      assertEquals(0, Http.json(list).getJsonArray("data").size(), "the refused create changed nothing");
    }
  }
}
