package io.tracklane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.security.World.Op;
import io.tracklane.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * The partner API, every operation of it: an affiliate key (program A's first affiliate) gets its own
 * rows only, another affiliate's ids (program A's second affiliate's link, program B's campaign and
 * link) answer 404, no owner-only field appears anywhere in an answer, and customer e-mails are masked.
 */
@Timeout(300)
class PartnerApiIsolationTest {
  /** Every partner operation: a new one must be added here, so none goes untested by accident. */
  private static final Set<String> PARTNER_OPERATIONS = Set.of("getAffiliateSettings", "updateAffiliateSettings",
      "listAffiliateCampaigns", "listAffiliateCommissions", "listAffiliateReferrals", "listAffiliatePayouts",
      "listAffiliateLinks", "listAffiliateCoupons", "getAffiliateDashboardSummary", "getAffiliateReport",
      "rotateAffiliateApiKey", "listAffiliatePostbacks", "createAffiliatePostback", "getAffiliatePostback",
      "updateAffiliatePostback", "deleteAffiliatePostback", "listAffiliatePostbackDeliveries",
      "redeliverAffiliatePostbackDelivery");
  /** Fields that are the owner's business, or the visitor's, wherever they would appear. */
  private static final Set<String> OWNER_ONLY = Set.of("allowed_domains", "auto_approve_affiliates",
      "accept_client_conversions", "hold_client_conversions", "credit_bot_clicks", "client_origins", "ip",
      "user_agent", "key_hash", "postback_secret", "postback_token", "customer_id", "notes", "internal_notes");
  private static final Pattern MASKED = Pattern.compile("^(.\\*\\*\\*@[^@]+|\\*\\*\\*)$");

  private static World world;
  private static String key;
  private static String own;

  @BeforeAll
  static void start() {
    world = new World(PartnerApiIsolationTest.class, Map.of());
    own = world.a.affiliateIds.get(0);
    key = world.engine.affiliateKey(world.a.owner.programId, Long.parseLong(own));
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @Test
  void everyPartnerOperationIsCoveredHere() {
    Set<String> documented = new TreeSet<>();
    world.operations().stream().filter(Op::partnerApi).forEach(op -> documented.add(op.id()));
    assertEquals(new TreeSet<>(PARTNER_OPERATIONS), documented);
  }

  @TestFactory
  Stream<DynamicTest> eachReadHoldsOnlyTheAffiliatesOwnRowsAndNoOwnerField() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : world.operations()) {
      if (!op.partnerApi() || !op.method().equals("get")) {
        continue;
      }
      tests.add(DynamicTest.dynamicTest(op.id(), () -> {
        HttpResponse<String> r = world.call("get", World.path(op, world.a, 0), null, key);
        assertEquals(200, r.statusCode(), op.id() + " " + r.body());
        inspect(Http.json(r), op.id());
        assertNoTraceOfOthers(r.body(), op.id());
      }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> anotherAffiliatesIdsAnswer404() {
    Map<String, List<String>> foreign = Map.of(
        "campaign_id", List.of(world.b.campaignId),
        "link_id", List.of(world.a.linkIds.get(1), world.b.linkIds.get(0)));
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : world.operations()) {
      if (!op.partnerApi() || !op.method().equals("get")) {
        continue;
      }
      for (String parameter : op.queryParameters()) {
        for (String id : foreign.getOrDefault(parameter, List.of())) {
          tests.add(DynamicTest.dynamicTest(op.id() + "?" + parameter + "=" + id, () -> {
            HttpResponse<String> r = world.call("get", op.path() + "?" + parameter + "=" + id, null, key);
            assertEquals(404, r.statusCode(), r.body());
            assertNoTraceOfOthers(r.body(), op.id());
          }));
        }
      }
    }
    assertFalse(tests.isEmpty());
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> anotherAffiliatesPostbackIdsAnswer404() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : world.operations()) {
      if (!op.partnerApi() || !op.path().contains("{postback_id}")) {
        continue;
      }
      // The same program's other affiliate's postback, and another program's.
      for (String id : List.of(world.a.postbackIds.get(1), world.b.postbackIds.get(0))) {
        tests.add(DynamicTest.dynamicTest(op.id() + " " + id, () -> {
          String path = op.path().replace("{postback_id}", id).replace("{delivery_id}", world.a.deliveryIds.get(0));
          HttpResponse<String> r = world.call(op.method(), path, "{\"state\":\"disabled\"}", key);
          assertEquals(404, r.statusCode(), op.id() + " " + r.body());
          assertNoTraceOfOthers(r.body(), op.id());
        }));
      }
    }
    assertFalse(tests.isEmpty());
    return tests.stream();
  }

  @Test
  void anotherAffiliateIdSelectsNothing() {
    for (String path : List.of("/affiliate/commissions", "/affiliate/referrals", "/affiliate/payouts",
        "/affiliate/links", "/affiliate/coupons")) {
      HttpResponse<String> r = world.call("get", path + "?affiliate_id=" + world.a.affiliateIds.get(1), null, key);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(0, Http.json(r).getJsonArray("data").size(), path + " " + r.body());
    }
  }

  @Test
  void referralsRefuseTheCustomerEmailFilterTheMaskWouldLeak() {
    HttpResponse<String> r = world.call("get", "/affiliate/referrals?email=buyer0@shop.example", null, key);
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(Http.json(r).getString("error").contains("customer e-mails are masked"), r.body());
  }

  @Test
  void settingsChangeOnlyTheKeysOwnAffiliate() {
    String other = world.a.affiliateIds.get(1);
    JsonObject before = Http.json(world.a.owner.ownerGet("/affiliates/" + other));
    HttpResponse<String> named = world.call("put", "/affiliate/settings",
        new JsonObject().put("id", other).put("payout_email", "thief@partner.example").encode(), key);
    assertEquals(400, named.statusCode(), named.body());
    HttpResponse<String> mine = world.call("put", "/affiliate/settings",
        new JsonObject().put("payout_email", "me@partner.example").encode(), key);
    assertEquals(200, mine.statusCode(), mine.body());
    assertEquals(own, Http.json(mine).getString("id"));
    assertEquals(before, Http.json(world.a.owner.ownerGet("/affiliates/" + other)));
  }

  @Test
  void theOwnDataIsThereSoTheChecksAreNotVacuous() {
    JsonObject links = Http.json(world.call("get", "/affiliate/links", null, key));
    assertEquals(1, links.getJsonArray("data").size(), links.encode());
    assertEquals(1, links.getJsonArray("data").getJsonObject(0).getJsonObject("stats").getLong("conversions"));
    JsonObject referrals = Http.json(world.call("get", "/affiliate/referrals?conversion_state=converted", null, key));
    assertEquals("b***@shop.example", referrals.getJsonArray("data").getJsonObject(0).getString("customer_email"));
    JsonObject report = Http.json(world.call("get", "/affiliate/reports?group_by=link", null, key));
    assertEquals(1, report.getJsonArray("data").size(), report.encode());
    assertEquals(world.a.linkIds.get(0), report.getJsonArray("data").getJsonObject(0).getString("group"));
  }

  /** Walks the answer: no owner-only field, masked e-mails, and every affiliate_id the key's own. */
  private static void inspect(Object value, String what) {
    if (value instanceof JsonObject object) {
      for (String field : object.fieldNames()) {
        assertFalse(OWNER_ONLY.contains(field), what + " has the owner-only field " + field + ": " + object.encode());
        Object v = object.getValue(field);
        if (field.equals("affiliate_id") && v != null) {
          assertEquals(own, v.toString(), what + ": " + object.encode());
        }
        if (field.equals("customer_email") && v != null) {
          assertTrue(MASKED.matcher(v.toString()).matches(), what + " shows a customer e-mail: " + v);
        }
        inspect(v, what);
      }
    } else if (value instanceof JsonArray array) {
      array.forEach(v -> inspect(v, what));
    }
  }

  /** Program A's second affiliate's e-mail, coupon and transaction carry "alpha1"/"alpha-1"; B's "beta". */
  private static void assertNoTraceOfOthers(String body, String what) {
    String lower = body.toLowerCase(Locale.ROOT);
    assertFalse(lower.contains("alpha1") || lower.contains("alpha-1") || lower.contains("beta"),
        what + " leaks another affiliate's data: " + body);
  }
}
