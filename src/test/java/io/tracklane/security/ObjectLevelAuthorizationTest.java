package io.tracklane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.security.World.Op;
import io.tracklane.security.World.Program;
import io.tracklane.testing.Http;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * OWASP API1:2023, broken object level authorization. Every documented operation that takes an
 * object id is sent another program's id, and every id filter another program's or another
 * affiliate's id: reads and writes answer 404 (or an empty page), nothing changes, nothing leaks.
 */
@Timeout(300)
class ObjectLevelAuthorizationTest {
  /** Path parameters that name no object of a program. */
  private static final List<String> NOT_OBJECTS = List.of("base", "quote");
  /** A body each write would accept, so the refusal comes from the object lookup, not validation. */
  private static final Map<String, String> BODIES = Map.of(
      "updateCampaign", "{\"name\":\"Hijacked\"}",
      "updateAffiliate", "{\"first_name\":\"Hijacked\"}",
      "updateLink", "{\"state\":\"disabled\"}",
      "updateCommissionStatus", "{\"status\":\"voided\"}");

  private static World world;
  private static String adminA;

  @BeforeAll
  static void start() {
    world = new World(ObjectLevelAuthorizationTest.class, Map.of());
    adminA = world.engine.ownerKey(world.a.owner.programId, "admin");
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @TestFactory
  Stream<DynamicTest> anotherProgramsIdIsNotFoundForReadsAndWrites() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : world.operations()) {
      if (op.partnerApi() || !op.path().contains("{") || NOT_OBJECTS.stream()
          .anyMatch(n -> op.path().contains("{" + n + "}"))) {
        continue;
      }
      tests.add(DynamicTest.dynamicTest(op.id(), () -> {
        String before = world.snapshot();
        HttpResponse<String> foreign = world.call(op.method(), path(op, world.b), BODIES.getOrDefault(op.id(), "{}"),
            adminA);
        String what = op.id() + " with another program's id: " + foreign.statusCode() + " " + foreign.body();
        if (op.id().equals("getPostbackStatus")) {
          // The edge keeps no record of postbacks: an id the key's program never saw reads "accepted",
          // exactly as a made-up one does, so the answer says nothing about the other program.
          HttpResponse<String> madeUp = world.call("get", "/postbacks/pb_" + "0".repeat(32), null, adminA);
          assertEquals(madeUp.statusCode(), foreign.statusCode(), what);
          assertEquals(Http.json(madeUp).getString("status"), Http.json(foreign).getString("status"), what);
          assertEquals("credited", Http.json(world.call("get", path(op, world.a), null, adminA)).getString("status"));
        } else {
          assertEquals(404, foreign.statusCode(), what);
        }
        assertNoTraceOf(world.b, foreign.body(), what);
        assertEquals(before, world.snapshot(), op.id() + " changed something");
        if (op.method().equals("get")) {
          HttpResponse<String> own = world.call("get", path(op, world.a), null, adminA);
          assertEquals(200, own.statusCode(), op.id() + " with its own program's id: " + own.body());
        }
      }));
    }
    assertFalse(tests.isEmpty());
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> listsNeverShowAnotherProgramsObjectsWhateverTheFilter() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : world.operations()) {
      if (!op.method().equals("get") || op.partnerApi() || op.path().contains("{") || op.id().equals(
          "getOpenApiDocument")) {
        continue;
      }
      tests.add(DynamicTest.dynamicTest(op.id(), () -> {
        HttpResponse<String> plain = world.call("get", op.path(), null, adminA);
        assertEquals(200, plain.statusCode(), plain.body());
        assertNoTraceOf(world.b, plain.body(), op.id());
        for (String parameter : op.queryParameters()) {
          if (!parameter.endsWith("_id") || !World.IDS.containsKey(parameter)) {
            continue;
          }
          HttpResponse<String> filtered = world.call("get", op.path() + "?" + parameter + "="
              + id(parameter, world.b), null, adminA);
          String what = op.id() + "?" + parameter + "=<another program's>: " + filtered.statusCode() + " "
              + filtered.body();
          assertNoTraceOf(world.b, filtered.body(), what);
          if (filtered.statusCode() == 200 && Http.json(filtered).containsKey("data")) {
            assertEquals(0, Http.json(filtered).getJsonArray("data").size(), what);
          } else if (filtered.statusCode() == 200) {
            // Not a collection (analytics): figures of nothing; the trace check above is what counts.
            assertNoTraceOf(world.b, filtered.body(), what);
          } else {
            assertTrue(List.of(400, 404).contains(filtered.statusCode()), what);
          }
        }
      }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> anAffiliateSeesOnlyItsOwnData() {
    Program a = world.a;
    String key = world.engine.affiliateKey(a.owner.programId, Long.parseLong(a.affiliateIds.get(0)));
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : world.operations()) {
      if (!op.partnerApi() || !op.method().equals("get")) {
        continue;
      }
      tests.add(DynamicTest.dynamicTest(op.id(), () -> {
        HttpResponse<String> own = world.call("get", World.path(op, a, 0), null, key);
        assertEquals(200, own.statusCode(), own.body());
        assertNoTraceOfOtherAffiliate(own.body(), op.id());
        for (String parameter : op.queryParameters()) {
          if (!parameter.endsWith("_id") || !World.IDS.containsKey(parameter)) {
            continue;
          }
          for (Program p : List.of(world.a, world.b)) {
            // Program A's second affiliate's objects and program B's: never the key's own.
            String foreignId = parameter.equals("affiliate_id") ? a.affiliateIds.get(1) : id(parameter, p);
            HttpResponse<String> filtered = world.call("get", op.path() + "?" + parameter + "=" + foreignId, null, key);
            String what = op.id() + "?" + parameter + "=" + foreignId + ": " + filtered.statusCode() + " "
                + filtered.body();
            assertNoTraceOfOtherAffiliate(filtered.body(), what);
            if (filtered.statusCode() == 200 && p == world.b) {
              assertEquals(0, Http.json(filtered).getJsonArray("data").size(), what);
            } else if (filtered.statusCode() != 200) {
              assertTrue(List.of(400, 404).contains(filtered.statusCode()), what);
            }
          }
        }
      }));
    }
    tests.add(DynamicTest.dynamicTest("the affiliate's own data is there (the checks above are not vacuous)", () -> {
      String coupons = world.call("get", "/affiliate/coupons", null, key).body();
      assertTrue(coupons.contains("ALPHA0"), coupons);
      JsonObject commissions = Http.json(world.call("get", "/affiliate/commissions", null, key));
      assertEquals(1, commissions.getJsonArray("data").size(), commissions.encode());
    }));
    return tests.stream();
  }

  private static String path(Op op, Program p) {
    return World.path(op, p, 0);
  }

  private static String id(String parameter, Program p) {
    return World.IDS.get(parameter).apply(p, 0);
  }

  /** Program B's names, e-mails, codes and transactions all carry "beta". */
  private static void assertNoTraceOf(Program b, String body, String what) {
    assertFalse(body.toLowerCase(Locale.ROOT).contains("beta"), what + " leaks program B: " + body);
  }

  /** Program A's second affiliate's e-mail, coupon and transaction carry "alpha1"/"alpha-1"; B's "beta". */
  private static void assertNoTraceOfOtherAffiliate(String body, String what) {
    String lower = body.toLowerCase(Locale.ROOT);
    assertFalse(lower.contains("alpha1") || lower.contains("alpha-1") || lower.contains("beta"),
        what + " leaks another affiliate's data: " + body);
  }
}
