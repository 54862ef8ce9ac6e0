package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /api/v1/affiliate/...: an affiliate key reads its own data only, without owner-only fields. */
@Timeout(180)
class AffiliateApiTest {
  private static final List<String> LISTS = List.of("/affiliate/campaigns", "/affiliate/commissions",
      "/affiliate/referrals", "/affiliate/payouts", "/affiliate/links", "/affiliate/coupons");

  private static TestEngine engine;
  private static Fixtures owner;
  private static String shared;
  private static String janeOnly;
  private static String joeOnly;
  private static String jane;
  private static String joe;
  private static String janeKey;
  private static String joeKey;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(AffiliateApiTest.class, Map.of("ledger.due_job_ms", "200", "ledger.payout_job_ms", "0"));
    owner = new Fixtures(engine, "EUR");
    shared = owner.campaign(new JsonObject().put("name", "Shared").put("payout_delay_days", 0)
        .put("allowed_domains", new JsonArray().add("shop.example"))).getString("id");
    janeOnly = owner.campaign(new JsonObject().put("name", "Jane only")).getString("id");
    joeOnly = owner.campaign(new JsonObject().put("name", "Joe only")).getString("id");
    jane = owner.affiliate(shared, "jane@partner.example").getString("id");
    joe = owner.affiliate(shared, "joe@partner.example").getString("id");
    owner.create("/affiliates", new JsonObject().put("campaign_id", janeOnly).put("email", "jane@partner.example"),
        201);
    owner.create("/affiliates", new JsonObject().put("campaign_id", joeOnly).put("email", "joe@partner.example"), 201);
    janeKey = engine.affiliateKey(owner.programId, Long.parseLong(jane));
    joeKey = engine.affiliateKey(owner.programId, Long.parseLong(joe));

    String janeShared = owner.link(shared, jane).getString("code");
    owner.link(janeOnly, jane);
    String joeShared = owner.link(shared, joe).getString("code");
    owner.create("/coupons", new JsonObject().put("campaign_id", shared).put("affiliate_id", jane).put("code", "JANE10"),
        201);
    owner.create("/coupons", new JsonObject().put("campaign_id", shared).put("affiliate_id", joe).put("code", "JOE10"),
        201);
    assertEquals(200, owner.postback("transaction_id=J1&amount=100.00&customer_email=buyer@shop.example&click_id="
        + owner.click(janeShared)).statusCode());
    owner.click(janeShared);
    assertEquals(200, owner.postback("transaction_id=O1&amount=40.00&click_id=" + owner.click(joeShared))
        .statusCode());
    Http.poll(Duration.ofSeconds(30), r -> Http.json(r).getJsonObject("pagination").getLong("total_count") == 2,
        engine.apiUrl() + "/commissions?status=due", "X-Api-Key", owner.ownerKey);
    Http.poll(Duration.ofSeconds(30), r -> Http.json(r).getJsonObject("pagination").getLong("total_count") == 1,
        engine.apiUrl() + "/referrals?conversion_state=converted&affiliate_id=" + jane, "X-Api-Key", owner.ownerKey);
    assertEquals(200, Http.post(engine.apiUrl() + "/payouts/run", "application/json", "{}", "X-Api-Key",
        owner.ownerKey).statusCode());
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void settingsAreTheAffiliatesOwnProfile() {
    JsonObject settings = Http.json(get(janeKey, "/affiliate/settings", 200));
    assertEquals(jane, settings.getString("id"));
    assertEquals("jane@partner.example", settings.getString("email"));
    assertEquals(Set.of("id", "first_name", "last_name", "email", "payout_email", "time_zone", "state", "created_at"),
        settings.fieldNames());
    assertEquals(joe, Http.json(get(joeKey, "/affiliate/settings", 200)).getString("id"));
  }

  @Test
  void campaignsAreTheEnrolledOnesWithTheAffiliatesOwnLinksAndNoOwnerSettings() {
    JsonArray campaigns = data(janeKey, "/affiliate/campaigns");
    assertEquals(Set.of(shared, janeOnly), ids(campaigns));
    for (Object o : campaigns) {
      JsonObject c = (JsonObject) o;
      assertEquals("active", c.getString("enrollment_state"));
      for (String owner : new String[] {"allowed_domains", "auto_approve_affiliates", "accept_client_conversions",
          "hold_client_conversions"}) {
        assertFalse(c.containsKey(owner), owner + " in " + c.encode());
      }
      JsonArray links = c.getJsonArray("links");
      assertEquals(1, links.size(), c.encode());
      assertEquals(jane, links.getJsonObject(0).getString("affiliate_id"));
      assertEquals(c.getString("id"), links.getJsonObject(0).getString("campaign_id"));
    }
    assertEquals(15, campaigns.getJsonObject(0).getInteger("commission_percent"), "the terms stay visible");
    assertEquals(Set.of(shared, joeOnly), ids(data(joeKey, "/affiliate/campaigns")));
  }

  @Test
  void eachListHoldsOnlyTheAffiliatesRows() {
    for (String path : List.of("/affiliate/commissions", "/affiliate/referrals", "/affiliate/payouts",
        "/affiliate/links", "/affiliate/coupons")) {
      JsonArray janes = data(janeKey, path);
      assertFalse(janes.isEmpty(), path);
      janes.forEach(o -> assertEquals(jane, ((JsonObject) o).getString("affiliate_id"), path));
      data(joeKey, path).forEach(o -> assertEquals(joe, ((JsonObject) o).getString("affiliate_id"), path));
    }
    assertEquals(2, data(janeKey, "/affiliate/referrals").size());
    assertEquals(2, data(janeKey, "/affiliate/links").size());
    assertEquals(1500L, data(janeKey, "/affiliate/commissions").getJsonObject(0).getLong("amount_cents"));
    assertEquals(1500L, data(janeKey, "/affiliate/payouts").getJsonObject(0).getLong("amount_cents"));
    assertEquals("JANE10", data(janeKey, "/affiliate/coupons").getJsonObject(0).getString("code"));
  }

  @Test
  void referralsMaskTheCustomerAndHideTheVisitor() {
    JsonObject converted = data(janeKey, "/affiliate/referrals?conversion_state=converted").getJsonObject(0);
    assertEquals("b***@shop.example", converted.getString("customer_email"));
    assertFalse(converted.containsKey("ip") || converted.containsKey("user_agent"), converted.encode());
    assertTrue(converted.containsKey("conversion_state") && converted.containsKey("link_id"));
  }

  @Test
  void filtersNarrowTheAffiliatesRows() {
    assertEquals(1, total(janeKey, "/affiliate/commissions?status=due&campaign_id=" + shared));
    assertEquals(0, total(janeKey, "/affiliate/commissions?status=voided"));
    assertEquals(1, total(janeKey, "/affiliate/payouts?status=pending"));
    assertEquals(1, total(janeKey, "/affiliate/links?campaign_id=" + janeOnly));
    assertEquals(0, total(janeKey, "/affiliate/coupons?campaign_id=" + janeOnly));
    assertEquals(1, total(janeKey, "/affiliate/campaigns?campaign_id=" + janeOnly));
    assertEquals(0, total(janeKey, "/affiliate/referrals?created_after=2999-01-01T00:00:00Z"));
    assertEquals(2, total(janeKey, "/affiliate/referrals?created_after=2026-01-01T00:00:00Z&campaign_id=" + shared));
    assertEquals(0, total(janeKey, "/affiliate/links?created_after=2999-01-01T00:00:00Z"));
    assertEquals(2, total(janeKey, "/affiliate/links?created_before=2999-01-01T00:00:00Z"));
    assertEquals(0, total(janeKey, "/affiliate/coupons?created_before=2020-01-01T00:00:00Z"));
    assertEquals(0, total(janeKey, "/affiliate/commissions?created_after=2999-01-01T00:00:00Z"));
    assertEquals(0, total(janeKey, "/affiliate/payouts?created_after=2999-01-01T00:00:00Z"));
    assertEquals(0, total(janeKey, "/affiliate/campaigns?created_after=2999-01-01T00:00:00Z"));
  }

  @Test
  void anotherAffiliatesCampaignIs404AndItsIdsSelectNothing() {
    for (String path : LISTS) {
      HttpResponse<String> r = get(janeKey, path + "?campaign_id=" + joeOnly, 404);
      assertEquals("Campaign not found.", Http.json(r).getString("error"), path);
    }
    assertEquals(0, total(janeKey, "/affiliate/commissions?affiliate_id=" + joe));
    assertEquals(0, total(janeKey, "/affiliate/referrals?affiliate_id=" + joe));
  }

  @Test
  void affiliateKeysReachNoOwnerListAndOwnerKeysNoAffiliateList() {
    get(janeKey, "/referrals", 403);
    get(janeKey, "/commissions", 403);
    assertEquals(403, Http.get(engine.apiUrl() + "/affiliate/commissions", Http.basic(owner.ownerKey)).statusCode());
  }

  private static HttpResponse<String> get(String key, String pathAndQuery, int status) {
    HttpResponse<String> r = Http.get(engine.apiUrl() + pathAndQuery, Http.basic(key));
    assertEquals(status, r.statusCode(), pathAndQuery + " " + r.body());
    return r;
  }

  private static JsonArray data(String key, String pathAndQuery) {
    return Http.json(get(key, pathAndQuery, 200)).getJsonArray("data");
  }

  private static long total(String key, String pathAndQuery) {
    return Http.json(get(key, pathAndQuery, 200)).getJsonObject("pagination").getLong("total_count");
  }

  private static Set<String> ids(JsonArray rows) {
    return rows.stream().map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
  }
}
