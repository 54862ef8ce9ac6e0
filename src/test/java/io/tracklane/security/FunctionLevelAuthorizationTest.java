package io.tracklane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.tracklane.api.AccessTable;
import io.tracklane.api.AccessTable.Caller;
import io.tracklane.security.World.Op;
import io.tracklane.testing.Http;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * OWASP API5:2023, broken function level authorization. Every documented operation is called by
 * every kind of key its access-table row refuses, with the caller's own program's ids and a body
 * the operation would accept: 403, and not a row changes. (api/AuthorizationTableTest checks the
 * statuses with made-up ids; this checks the refusals have no effect.)
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FunctionLevelAuthorizationTest {
  private static World world;
  private static final Map<Caller, String> KEYS = new EnumMap<>(Caller.class);

  @BeforeAll
  static void start() {
    world = new World(FunctionLevelAuthorizationTest.class, Map.of());
    long program = world.a.owner.programId;
    for (Caller caller : Caller.values()) {
      KEYS.put(caller, caller == Caller.AFFILIATE ? world.engine.affiliateKey(program,
          Long.parseLong(world.a.affiliateIds.get(0))) : world.engine.ownerKey(program,
          caller.name().toLowerCase(Locale.ROOT)));
    }
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  /** A body each write accepts from a caller allowed to make it: a refusal must be the only reason for no change. */
  private static String body(String operationId) {
    World.Program a = world.a;
    JsonObject body = switch (operationId) {
      case "createCampaign" -> new JsonObject().put("name", "Escalated").put("landing_page_url",
          "https://alpha.example/").put("reward_type", "amount").put("commission_amount_cents", 100);
      case "updateCampaign" -> new JsonObject().put("name", "Escalated").put("state", "disabled");
      case "enrollAffiliate" -> new JsonObject().put("campaign_id", a.campaignId).put("email",
          "escalated@partner.example");
      case "updateAffiliate" -> new JsonObject().put("state", "disabled");
      case "updateAffiliateSettings" -> new JsonObject().put("payout_email", "escalated@partner.example");
      case "createLink" -> new JsonObject().put("campaign_id", a.campaignId).put("affiliate_id", a.affiliateIds.get(1));
      case "updateLink" -> new JsonObject().put("state", "disabled");
      case "createCoupon" -> new JsonObject().put("campaign_id", a.campaignId).put("affiliate_id",
          a.affiliateIds.get(1)).put("code", "ESCALATED");
      case "updateCommissionStatus" -> new JsonObject().put("status", "voided");
      case "putFxRate" -> new JsonObject().put("rate", "0.5");
      case "createApiKey" -> new JsonObject().put("label", "escalated").put("role", "admin");
      case "createWebhook", "createAffiliatePostback" -> new JsonObject().put("url", "http://127.0.0.1:9/escalated")
          .put("events", new io.vertx.core.json.JsonArray().add("lead"));
      case "updateWebhook", "updateAffiliatePostback" -> new JsonObject().put("state", "disabled");
      case "retryRejectedEvents" -> new JsonObject().put("ids", new io.vertx.core.json.JsonArray()
          .add(a.rejectedIds.get(1)));
      default -> new JsonObject();
    };
    return body.encode();
  }

  /** The caller's own program's objects: the second affiliate's, which the affiliate key is not. */
  private static String path(Op op) {
    return World.path(op, world.a, 1);
  }

  @TestFactory
  @Order(1)
  Stream<DynamicTest> everyRefusedCallerGets403AndChangesNothing() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : world.operations()) {
      AccessTable.Rule rule = AccessTable.rule(op.id());
      assertNotNull(rule, op.id());
      for (Caller caller : Caller.values()) {
        if (rule.allows(caller)) {
          continue;
        }
        tests.add(DynamicTest.dynamicTest(op.id() + " by " + caller, () -> {
          String before = world.snapshot();
          HttpResponse<String> r = world.call(op.method(), path(op), body(op.id()), KEYS.get(caller));
          assertEquals(403, r.statusCode(), op.id() + " by " + caller + ": " + r.body());
          assertEquals(List.of("error"), List.copyOf(Http.json(r).fieldNames()), "a refusal shows no data: " + r.body());
          assertEquals(before, world.snapshot(), op.id() + " by " + caller + " changed something");
        }));
      }
    }
    return tests.stream();
  }

  @Test
  @Order(2)
  void theSameRequestsFromAnAllowedCallerDoChangeThings() {
    // Without this the test above could pass on requests that change nothing anyway.
    for (Op op : world.operations()) {
      if (op.method().equals("get") || List.of("runPayouts", "updateCommissionStatus",
          "redeliverAffiliatePostbackDelivery").contains(op.id())) {
        // run: nothing is due; the commissions are all in payouts. The world's deliveries are the
        // owner webhooks' (WebhooksTest redelivers an affiliate's).
        continue;
      }
      Caller allowed = AccessTable.rule(op.id()).allows(Caller.ADMIN) ? Caller.ADMIN : Caller.AFFILIATE;
      String before = world.snapshot();
      HttpResponse<String> r = world.call(op.method(), path(op), body(op.id()), KEYS.get(allowed));
      assertEquals(2, r.statusCode() / 100, op.id() + " by " + allowed + ": " + r.body());
      assertNotEquals(before, world.snapshot(), op.id() + " by " + allowed + " changed nothing");
      if (op.id().equals("rotateAffiliateApiKey")) {
        KEYS.put(Caller.AFFILIATE, Http.json(r).getString("key")); // the old key is revoked now
      }
    }
  }
}
