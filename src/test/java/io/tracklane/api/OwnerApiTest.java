package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The owner API's contract: keys, envelope, errors, validation and program scoping. */
@Timeout(120)
class OwnerApiTest {
  private static TestEngine engine;
  private static Fixtures owner;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(OwnerApiTest.class);
    owner = new Fixtures(engine, "USD");
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void missingOrUnknownKeyIs401WithAnErrorBody() {
    HttpResponse<String> none = Http.get(engine.apiUrl() + "/campaigns");
    assertEquals(401, none.statusCode());
    assertEquals("missing or invalid API key", Http.json(none).getString("error"));
    assertEquals(401, Http.get(engine.apiUrl() + "/campaigns", "X-Api-Key", "sk_not-a-real-key").statusCode());
    assertEquals(401, Http.get(engine.apiUrl() + "/campaigns", Http.basic("sk_wrong")).statusCode());
    assertEquals(401, Http.get(engine.apiUrl() + "/campaigns", "Authorization", "Basic !!!").statusCode());
  }

  @Test
  void keyWorksAsBasicUsernameOrHeader() {
    assertEquals(200, Http.get(engine.apiUrl() + "/campaigns", Http.basic(owner.ownerKey)).statusCode());
    assertEquals(200, Http.get(engine.apiUrl() + "/campaigns", "X-Api-Key", owner.ownerKey).statusCode());
  }

  @Test
  void campaignIsCreatedReadUpdatedAndListedInTheSeedEnvelope() {
    JsonObject created = owner.campaign(new JsonObject().put("name", "Summer").put("reward_type", "percent")
        .put("commission_percent", 15).put("reward_cadence", "first_year").put("minimum_payout_cents", 2000)
        .put("payout_delay_days", 30).put("auto_approve_affiliates", true));
    assertEquals("Summer", created.getString("name"));
    assertEquals("USD", created.getString("currency"), "defaults to the program's currency");
    assertEquals(12, created.getInteger("max_commission_period_months"), "first_year means 12 months");
    assertEquals(0, new java.math.BigDecimal("15").compareTo(new java.math.BigDecimal(
        created.getValue("commission_percent").toString())));

    String id = created.getString("id");
    JsonObject fetched = Http.json(owner.ownerGet("/campaigns/" + id));
    assertEquals(created, fetched);

    HttpResponse<String> updated = Http.put(engine.apiUrl() + "/campaigns/" + id, "application/json",
        new JsonObject().put("cookie_window_days", 60).encode(), "X-Api-Key", owner.ownerKey);
    assertEquals(200, updated.statusCode(), updated.body());
    assertEquals(60, Http.json(updated).getInteger("cookie_window_days"));
    assertEquals("Summer", Http.json(updated).getString("name"));

    JsonObject page = Http.json(owner.ownerGet("/campaigns?page=1&limit=1"));
    assertEquals(1, page.getJsonArray("data").size());
    JsonObject pagination = page.getJsonObject("pagination");
    assertEquals(1, pagination.getInteger("page"));
    assertEquals(1, pagination.getInteger("limit"));
    assertTrue(pagination.getLong("total_count") >= 1);
    assertEquals(pagination.getLong("total_count"), pagination.getLong("total_pages"));
  }

  @Test
  void invalidBodiesAre400AndCreateNothing() {
    long before = Http.json(owner.ownerGet("/campaigns")).getJsonObject("pagination").getLong("total_count");
    String[][] cases = {
        {"{\"name\":\"x\",\"landing_page_url\":\"https://a.example\",\"reward_type\":\"percent\"}",
            "commission_percent is required when reward_type is percent"},
        {"{\"name\":\"x\",\"landing_page_url\":\"javascript:alert(1)\",\"reward_type\":\"amount\","
            + "\"commission_amount_cents\":100}", "landing_page_url must be an absolute http or https URL"},
        {"{\"name\":\"x\",\"landing_page_url\":\"https://a.example\",\"reward_type\":\"percent\","
            + "\"commission_percent\":101}", "commission_percent must be between 0 and 100 with at most 4 decimals"},
        {"{\"name\":\"x\",\"landing_page_url\":\"https://a.example\",\"reward_type\":\"bonus\"}",
            "reward_type must be one of percent, amount"},
        {"{\"name\":\"x\",\"colour\":\"red\"}", "unknown field: colour"},
        {"{\"name\":\"x\",\"landing_page_url\":\"https://a.example\",\"reward_type\":\"amount\","
            + "\"commission_amount_cents\":1.5}", "commission_amount_cents must be a whole number"},
        {"[1,2]", "body must be a JSON object"},
        {"{not json", "body must be a JSON object"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = Http.post(engine.apiUrl() + "/campaigns", "application/json", c[0],
          "X-Api-Key", owner.ownerKey);
      assertEquals(400, r.statusCode(), c[0] + " -> " + r.body());
      assertEquals(c[1], Http.json(r).getString("error"), c[0]);
    }
    HttpResponse<String> wrongType = Http.post(engine.apiUrl() + "/campaigns", "text/plain", "hello",
        "X-Api-Key", owner.ownerKey);
    assertEquals(415, wrongType.statusCode());
    long after = Http.json(owner.ownerGet("/campaigns")).getJsonObject("pagination").getLong("total_count");
    assertEquals(before, after);
  }

  @Test
  void badQueryParametersAre400() {
    assertEquals(400, owner.ownerGet("/campaigns?limit=101").statusCode());
    assertEquals(400, owner.ownerGet("/campaigns?page=0").statusCode());
    assertEquals(400, owner.ownerGet("/commissions?status=lost").statusCode());
    HttpResponse<String> date = owner.ownerGet("/commissions?created_after=yesterday");
    assertEquals(400, date.statusCode());
    assertTrue(Http.json(date).getString("error").startsWith("created_after must be an ISO 8601"));
  }

  @Test
  void anotherProgramsDataIsInvisible() {
    JsonObject mine = owner.campaign(new JsonObject().put("name", "Mine"));
    Fixtures other = new Fixtures(engine, "EUR");
    HttpResponse<String> r = other.ownerGet("/campaigns/" + mine.getString("id"));
    assertEquals(404, r.statusCode());
    assertEquals("Campaign not found.", Http.json(r).getString("error"));
    assertEquals(0, Http.json(other.ownerGet("/campaigns")).getJsonObject("pagination").getLong("total_count"));
    HttpResponse<String> update = Http.put(engine.apiUrl() + "/campaigns/" + mine.getString("id"),
        "application/json", "{\"name\":\"Stolen\"}", "X-Api-Key", other.ownerKey);
    assertEquals(404, update.statusCode());
    assertEquals("Mine", Http.json(owner.ownerGet("/campaigns/" + mine.getString("id"))).getString("name"));
  }

  @Test
  void enrollingTwiceIs409AndLinkNeedsAnEnrolledAffiliate() {
    JsonObject campaign = owner.campaign(new JsonObject());
    JsonObject affiliate = owner.affiliate(campaign.getString("id"), "twice@partner.example");
    owner.create("/affiliates", new JsonObject().put("campaign_id", campaign.getString("id"))
        .put("email", "twice@partner.example"), 409);
    JsonObject otherCampaign = owner.campaign(new JsonObject().put("name", "Other"));
    JsonObject error = owner.create("/affiliate_links", new JsonObject()
        .put("campaign_id", otherCampaign.getString("id")).put("affiliate_id", affiliate.getString("id")), 400);
    assertEquals("the affiliate is not enrolled in this campaign", error.getString("error"));
    JsonObject offsite = owner.create("/affiliate_links", new JsonObject().put("campaign_id", campaign.getString("id"))
        .put("affiliate_id", affiliate.getString("id")).put("destination_url", "https://evil.example/"), 400);
    assertTrue(offsite.getString("error").startsWith("destination_url must be on"));
  }

  @Test
  void dateFiltersSelectByCreationTime() {
    owner.campaign(new JsonObject().put("name", "Dated"));
    String future = "2999-01-01T00:00:00Z";
    assertEquals(0, Http.json(owner.ownerGet("/campaigns?created_after=" + future))
        .getJsonObject("pagination").getLong("total_count"));
    assertTrue(Http.json(owner.ownerGet("/campaigns?created_before=" + future
            + "&created_after=2020-01-01T00:00:00Z"))
        .getJsonObject("pagination").getLong("total_count") >= 1);
    for (String path : new String[] {"/affiliates", "/commissions", "/conversions"}) {
      assertEquals(200, owner.ownerGet(path + "?created_after=2020-01-01T00:00:00%2B02:00").statusCode(), path);
    }
  }

  @Test
  void wholePercentsAreWrittenAsPlainNumbers() {
    HttpResponse<String> r = Http.post(engine.apiUrl() + "/campaigns", "application/json",
        "{\"name\":\"Ten\",\"landing_page_url\":\"https://a.example\",\"reward_type\":\"percent\","
            + "\"commission_percent\":10}", "X-Api-Key", owner.ownerKey);
    assertTrue(r.body().contains("\"commission_percent\":10,"), r.body());
  }

  @Test
  void nullForARequiredFieldIs400NotAServerError() {
    JsonObject campaign = owner.campaign(new JsonObject());
    JsonObject affiliate = owner.affiliate(campaign.getString("id"), "nulls@partner.example");
    JsonObject link = owner.link(campaign.getString("id"), affiliate.getString("id"));
    String[][] cases = {
        {"/affiliates/" + affiliate.getString("id"), "{\"first_name\":null}", "first_name must not be null"},
        {"/affiliate_links/" + link.getString("id"), "{\"state\":null}", "state must not be null"},
        {"/campaigns/" + campaign.getString("id"), "{\"name\":null}", "name must not be null"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = Http.put(engine.apiUrl() + c[0], "application/json", c[1], "X-Api-Key", owner.ownerKey);
      assertEquals(400, r.statusCode(), c[0] + " " + r.body());
      assertEquals(c[2], Http.json(r).getString("error"));
    }
  }

  @Test
  void aCouponNamingAnotherProgramsCampaignIs400AndNotCreated() {
    Fixtures other = new Fixtures(engine, "EUR");
    JsonObject theirs = other.campaign(new JsonObject());
    JsonObject theirAffiliate = other.affiliate(theirs.getString("id"), "coupon-other@partner.example");
    JsonObject error = owner.create("/coupons", new JsonObject().put("campaign_id", theirs.getString("id"))
        .put("affiliate_id", theirAffiliate.getString("id")).put("code", "STOLEN"), 400);
    assertTrue(error.getString("error").startsWith("campaign_id and affiliate_id must name"), error.encode());
    assertEquals(0, Http.json(other.ownerGet("/coupons")).getJsonObject("pagination").getLong("total_count"));
    assertEquals(0, Http.json(owner.ownerGet("/coupons")).getJsonObject("pagination").getLong("total_count"));
  }

  @Test
  void aPagesTotalAgreesWithItsRowsWhileOthersWrite() throws Exception {
    Fixtures busy = new Fixtures(engine, "EUR");
    java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread writer = new Thread(() -> {
      for (int i = 0; i < 60 && writing.get(); i++) {
        busy.campaign(new JsonObject().put("name", "Busy " + i));
      }
    });
    writer.start();
    try {
      for (int i = 0; i < 150 && writer.isAlive(); i++) {
        JsonObject page = Http.json(busy.ownerGet("/campaigns?limit=100"));
        long total = page.getJsonObject("pagination").getLong("total_count");
        assertEquals(Math.min(total, 100), page.getJsonArray("data").size(), page.getJsonObject("pagination").encode());
      }
    } finally {
      writing.set(false);
      writer.join();
    }
  }

  @Test
  void unknownEndpointAndUnknownIdAre404() {
    assertEquals(404, owner.ownerGet("/nothing-here").statusCode());
    assertEquals(404, owner.ownerGet("/campaigns/999999999").statusCode());
    assertEquals(404, owner.ownerGet("/campaigns/abc").statusCode());
    assertEquals(404, owner.ownerGet("/commissions/123456789").statusCode());
  }

  @Test
  void affiliateKeyCannotUseOwnerEndpoints() {
    JsonObject campaign = owner.campaign(new JsonObject());
    JsonObject affiliate = owner.affiliate(campaign.getString("id"), "reader@partner.example");
    String ak = engine.affiliateKey(owner.programId, Long.parseLong(affiliate.getString("id")));
    assertEquals(403, Http.get(engine.apiUrl() + "/campaigns", "X-Api-Key", ak).statusCode());
  }
}
