package io.tracklane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.security.World.Op;
import io.tracklane.testing.Http;
import io.tracklane.testing.Sql;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * OWASP API3:2023, broken object property level authorization. Writes refuse properties the caller
 * may not set (mass assignment) with a 400 and change nothing; reads never show secrets, and an
 * affiliate never sees owner settings or a customer's e-mail.
 */
@Timeout(300)
class PropertyLevelAuthorizationTest {
  private static World world;
  private static String admin;
  private static String affiliateKey;

  /** A write with one property the caller may not set, merged over a body that is otherwise valid. */
  record Attempt(String method, String path, JsonObject valid, String field, Object value) {
    String name() {
      return method + " " + path + " with " + field;
    }
  }

  @BeforeAll
  static void start() {
    world = new World(PropertyLevelAuthorizationTest.class, Map.of());
    admin = world.engine.ownerKey(world.a.owner.programId, "admin");
    affiliateKey = world.engine.affiliateKey(world.a.owner.programId, Long.parseLong(world.a.affiliateIds.get(0)));
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  private static List<Attempt> attempts() {
    World.Program a = world.a;
    String otherProgram = Long.toString(world.b.owner.programId);
    JsonObject campaign = new JsonObject().put("name", "Mass").put("landing_page_url", "https://alpha.example/")
        .put("reward_type", "amount").put("commission_amount_cents", 100);
    JsonObject rename = new JsonObject().put("name", "Renamed");
    JsonObject enrol = new JsonObject().put("campaign_id", a.campaignId).put("email", "mass@partner.example");
    JsonObject affiliate = new JsonObject().put("first_name", "Renamed");
    JsonObject link = new JsonObject().put("campaign_id", a.campaignId).put("affiliate_id", a.affiliateIds.get(0));
    JsonObject linkUpdate = new JsonObject().put("state", "active");
    JsonObject coupon = new JsonObject().put("campaign_id", a.campaignId).put("affiliate_id", a.affiliateIds.get(0))
        .put("code", "MASS1");
    JsonObject key = new JsonObject().put("label", "mass").put("role", "reporting");
    List<Attempt> out = new ArrayList<>();
    String campaignPath = "/campaigns/" + a.campaignId;
    String affiliatePath = "/affiliates/" + a.affiliateIds.get(0);
    String linkPath = "/affiliate_links/" + a.linkIds.get(0);
    for (Object[] f : new Object[][] {{"id", "999"}, {"program_id", otherProgram}, {"created_at",
        "2020-01-01T00:00:00Z"}, {"updated_at", "2020-01-01T00:00:00Z"}}) {
      String field = (String) f[0];
      out.add(new Attempt("post", "/campaigns", campaign, field, f[1]));
      out.add(new Attempt("put", campaignPath, rename, field, f[1]));
      out.add(new Attempt("post", "/affiliates", enrol, field, f[1]));
      out.add(new Attempt("put", affiliatePath, affiliate, field, f[1]));
      out.add(new Attempt("post", "/affiliate_links", link, field, f[1]));
      out.add(new Attempt("put", linkPath, linkUpdate, field, f[1]));
      out.add(new Attempt("post", "/coupons", coupon, field, f[1]));
      out.add(new Attempt("post", "/api_keys", key, field, f[1]));
    }
    // A campaign's currency is fixed once it has facts: its commissions are in that currency.
    out.add(new Attempt("put", campaignPath, rename, "currency", "USD"));
    // Identity and ownership are not updatable.
    out.add(new Attempt("put", affiliatePath, affiliate, "email", "taken@partner.example"));
    out.add(new Attempt("put", affiliatePath, affiliate, "campaigns", new io.vertx.core.json.JsonArray()));
    out.add(new Attempt("put", linkPath, linkUpdate, "affiliate_id", a.affiliateIds.get(1)));
    out.add(new Attempt("put", linkPath, linkUpdate, "campaign_id", world.b.campaignId));
    out.add(new Attempt("put", linkPath, linkUpdate, "code", "stolen-code"));
    out.add(new Attempt("put", linkPath, linkUpdate, "url", "https://evil.example/"));
    // A commission's money and owner are the ledger's, never the API's.
    String commissionPath = "/commissions/" + a.commissionIds.get(0);
    JsonObject voided = new JsonObject().put("status", "voided");
    out.add(new Attempt("put", commissionPath, voided, "amount_cents", 1_000_000));
    out.add(new Attempt("put", commissionPath, voided, "affiliate_id", a.affiliateIds.get(1)));
    out.add(new Attempt("put", commissionPath, voided, "currency", "USD"));
    // Keys: the secret, its hash, its usage and its revocation are the engine's.
    for (Object[] f : new Object[][] {{"key_hash", "0".repeat(64)}, {"key", "sk_chosen_by_caller"}, {"prefix",
        "sk_AAAAAAA"}, {"request_count", 0}, {"last_used_at", "2020-01-01T00:00:00Z"}, {"revoked_at", null},
        {"kind", "owner"}}) {
      out.add(new Attempt("post", "/api_keys", key, (String) f[0], f[1]));
    }
    out.add(new Attempt("post", "/api_keys", key.copy().put("role", "admin"), "role", "owner"));
    out.add(new Attempt("post", "/payouts/run", new JsonObject(), "program_id", otherProgram));
    out.add(new Attempt("post", "/payouts/" + a.payoutIds.get(0) + "/mark_as_paid", new JsonObject(), "amount_cents",
        1));
    out.add(new Attempt("put", "/fx_rates/USD/EUR", new JsonObject().put("rate", "0.9"), "program_id", otherProgram));
    return out;
  }

  @TestFactory
  Stream<DynamicTest> writesRefuseEveryPropertyTheCallerMayNotSetAndChangeNothing() {
    return attempts().stream().map(t -> DynamicTest.dynamicTest(t.name(), () -> {
      String before = world.snapshot();
      JsonObject body = t.valid().copy().put(t.field(), t.value());
      HttpResponse<String> r = world.call(t.method(), t.path(), body.encode(), admin);
      // A campaign's currency is valid input in itself; once facts exist, changing it is a conflict
      // with what was recorded (409), as the money rules say.
      boolean stateConflict = "currency".equals(t.field()) && t.path().startsWith("/campaigns/");
      assertEquals(stateConflict ? 409 : 400, r.statusCode(), t.name() + ": " + r.body());
      assertTrue(Http.json(r).getString("error").contains(t.field()), "the error names the field: " + r.body());
      assertEquals(before, world.snapshot(), t.name() + " changed something");
    }));
  }

  @Test
  void aCampaignWithoutFactsMayStillChangeItsCurrency() {
    String id = world.a.owner.campaign(new JsonObject().put("name", "Fresh")).getString("id");
    HttpResponse<String> r = world.call("put", "/campaigns/" + id, new JsonObject().put("currency", "USD").encode(),
        admin);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("USD", Http.json(world.a.owner.ownerGet("/campaigns/" + id)).getString("currency"));
  }

  @TestFactory
  Stream<DynamicTest> noAnswerShowsASecret() {
    List<String> secrets = new ArrayList<>();
    for (World.Program p : List.of(world.a, world.b)) {
      secrets.add(p.owner.postbackSecret);
      secrets.add(p.owner.postbackToken);
      secrets.addAll(p.webhookSecrets);
    }
    Sql.query(world.engine, "SELECT key_hash FROM api_keys").forEach(row -> secrets.add((String) row.get("key_hash")));
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : world.operations()) {
      if (!op.method().equals("get")) {
        continue;
      }
      tests.add(DynamicTest.dynamicTest(op.id(), () -> {
        String key = op.partnerApi() ? affiliateKey : admin;
        HttpResponse<String> r = world.call("get", World.path(op, world.a, 0), null, key);
        assertEquals(200, r.statusCode(), op.id() + ": " + r.body());
        String lower = r.body().toLowerCase(Locale.ROOT);
        for (String secret : secrets) {
          assertFalse(r.body().contains(secret), op.id() + " shows a secret: " + r.body());
        }
        // The document itself names these fields (to say they are never shown); answers never do.
        List<String> names = op.id().equals("getOpenApiDocument") ? List.of()
            : List.of("key_hash", "postback_secret", "postback_token", "password");
        for (String name : names) {
          assertFalse(lower.contains(name), op.id() + " shows " + name + ": " + r.body());
        }
        r.headers().map().values().forEach(values -> values.forEach(v -> secrets.forEach(s ->
            assertFalse(v.contains(s), op.id() + " shows a secret in a header"))));
      }));
    }
    tests.add(DynamicTest.dynamicTest("a new key is shown once, without its hash", () -> {
      JsonObject created = world.a.owner.create("/api_keys", new JsonObject().put("label", "once").put("role",
          "reporting"), 201);
      String hash = (String) Sql.query(world.engine, "SELECT key_hash FROM api_keys WHERE id = ?",
          Long.parseLong(created.getString("id"))).get(0).get("key_hash");
      assertFalse(created.encode().contains(hash));
      assertFalse(created.containsKey("key_hash"));
      String listed = world.call("get", "/api_keys", null, admin).body();
      assertFalse(listed.contains(created.getString("key")), "the secret is never listed");
      assertFalse(listed.contains(hash));
    }));
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> anAffiliateSeesNoOwnerSettingsAndNoCustomerEmail() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : world.operations()) {
      if (!op.partnerApi() || !op.method().equals("get")) {
        continue;
      }
      tests.add(DynamicTest.dynamicTest(op.id(), () -> {
        for (String query : List.of("", "?expand=sale,campaign,affiliate,commissions,payout")) {
          HttpResponse<String> r = world.call("get", World.path(op, world.a, 0) + query, null, affiliateKey);
          if (!query.isEmpty() && r.statusCode() == 400) {
            continue; // this operation has no expand: nothing more to inline
          }
          assertEquals(200, r.statusCode(), op.id() + query + ": " + r.body());
          for (String ownerOnly : List.of("allowed_domains", "auto_approve_affiliates", "accept_client_conversions",
              "program_id", "ip_allowlist", "buyer0@shop.example", "buyer1@shop.example")) {
            assertFalse(r.body().contains(ownerOnly), op.id() + query + " shows " + ownerOnly + ": " + r.body());
          }
        }
      }));
    }
    tests.add(DynamicTest.dynamicTest("the owner does see the customer's e-mail (the check above is not vacuous)",
        () -> assertTrue(world.call("get", "/referrals", null, admin).body().contains("buyer0@shop.example")
            || world.call("get", "/conversions", null, admin).body().contains("buyer0@shop.example"))));
    return tests.stream();
  }
}
