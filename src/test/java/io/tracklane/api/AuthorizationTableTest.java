package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tracklane.api.AccessTable.Caller;
import io.tracklane.api.AccessTable.Rule;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Walks every operation of the served document with every kind of key (and none) and checks the
 * answer against the access table; then checks the table itself against the product's policy.
 */
@Timeout(300)
class AuthorizationTableTest {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  private static TestEngine engine;
  private static Fixtures owner;
  private static long affiliateId;

  /** One documented operation. */
  record Op(String id, String method, String path) {
  }

  @BeforeAll
  static void start() {
    engine = TestEngine.start(AuthorizationTableTest.class);
    owner = new Fixtures(engine, "EUR");
    JsonObject campaign = owner.campaign(new JsonObject());
    affiliateId = Long.parseLong(owner.affiliate(campaign.getString("id"), "walk@partner.example").getString("id"));
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @TestFactory
  Stream<DynamicTest> everyOperationAnswersEachKindOfKeyAsTheTableSays() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : operations()) {
      Rule rule = AccessTable.rule(op.id());
      tests.add(DynamicTest.dynamicTest(op.id(), () -> {
        assertNotNull(rule, op.id() + " has no row in the access table");
        int anonymous = call(op, null).statusCode();
        assertEquals(rule.needsKey() ? 401 : 200, anonymous, op.id() + " without a key");
        for (Caller caller : Caller.values()) {
          HttpResponse<String> r = call(op, keyFor(caller));
          String what = op.id() + " with a " + caller + " key: " + r.statusCode() + " " + r.body();
          if (rule.allows(caller)) {
            assertFalse(Set.of(401, 403, 501).contains(r.statusCode()), what);
          } else {
            assertEquals(403, r.statusCode(), what);
          }
        }
      }));
    }
    return tests.stream();
  }

  @Test
  void theTableFollowsThePolicy() throws Exception {
    for (Op op : operations()) {
      Rule rule = AccessTable.rule(op.id());
      boolean partnerApi = op.path().startsWith("/affiliate/");
      if (!rule.needsKey()) {
        assertEquals("getOpenApiDocument", op.id(), "only the document itself is public");
        continue;
      }
      if (op.id().equals("streamEvents")) {
        // The event stream: owner read roles, and affiliate keys narrowed to their own events by the handler.
        assertEquals(Set.of(Caller.ADMIN, Caller.MANAGER, Caller.REPORTING, Caller.AFFILIATE), rule.callers());
        continue;
      }
      // Affiliate keys reach the partner API and nothing else; owner keys never reach it.
      assertEquals(partnerApi, rule.allows(Caller.AFFILIATE), op.id());
      if (partnerApi) {
        assertEquals(Set.of(Caller.AFFILIATE), rule.callers(), op.id());
        continue;
      }
      // Reporting keys only read; keys and program settings are for admins alone.
      if (!op.method().equals("get")) {
        assertFalse(rule.allows(Caller.REPORTING), op.id() + " changes data");
      }
      if (op.path().startsWith("/api_keys") || op.path().startsWith("/fx_rates/")) {
        assertEquals(Set.of(Caller.ADMIN), rule.callers(), op.id());
      }
      assertTrue(rule.allows(Caller.ADMIN), op.id());
    }
  }

  @Test
  void aRefusalChangesNothing() {
    String reporting = engine.ownerKey(owner.programId, "reporting");
    long before = Http.json(owner.ownerGet("/campaigns")).getJsonObject("pagination").getLong("total_count");
    HttpResponse<String> r = Http.post(engine.apiUrl() + "/campaigns", "application/json",
        new JsonObject().put("name", "Nope").put("landing_page_url", "https://a.example").put("reward_type", "amount")
            .put("commission_amount_cents", 100).encode(), Http.basic(reporting));
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(Http.json(r).getString("error").contains("reporting"), r.body());
    assertEquals(before, Http.json(owner.ownerGet("/campaigns")).getJsonObject("pagination").getLong("total_count"));
  }

  private static String keyFor(Caller caller) {
    return caller == Caller.AFFILIATE ? engine.affiliateKey(owner.programId, affiliateId)
        : engine.ownerKey(owner.programId, caller.name().toLowerCase(Locale.ROOT));
  }

  private static HttpResponse<String> call(Op op, String key) {
    String url = engine.apiUrl() + op.path()
        .replace("{base}", "EUR").replace("{quote}", "USD")
        .replace("{event_id}", "pb_" + "0".repeat(32))
        .replaceAll("\\{[a-z_]+}", "987654321");
    String[] auth = key == null ? new String[0] : Http.basic(key);
    return switch (op.method()) {
      case "get" -> Http.get(url, auth);
      case "post" -> Http.post(url, "application/json", "{}", auth);
      case "put" -> Http.put(url, "application/json", "{}", auth);
      case "delete" -> Http.delete(url, auth);
      default -> throw new IllegalStateException(op.method());
    };
  }

  private static List<Op> operations() throws Exception {
    HttpResponse<String> r = Http.get(engine.apiUrl() + "/openapi.yaml");
    assertNotEquals(0, r.body().length());
    JsonNode paths = new ObjectMapper(new YAMLFactory()).readTree(r.body()).path("paths");
    List<Op> ops = new ArrayList<>();
    paths.fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(m -> {
      if (METHODS.contains(m.getKey())) {
        ops.add(new Op(m.getValue().path("operationId").asText(), m.getKey(), path.getKey()));
      }
    }));
    assertFalse(ops.isEmpty());
    return ops;
  }
}
