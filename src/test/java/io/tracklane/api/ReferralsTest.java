package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GET /referrals: the program's clicks with their conversion state and customer, filtered as the seed lists. */
@Timeout(180)
class ReferralsTest {
  private static TestEngine engine;
  private static Fixtures owner;
  private static String campaignA;
  private static String campaignB;
  private static String jane;
  private static String joe;
  private static String sold;
  private static String signedUp;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(ReferralsTest.class);
    owner = new Fixtures(engine, "EUR");
    campaignA = owner.campaign(new JsonObject().put("name", "A")).getString("id");
    campaignB = owner.campaign(new JsonObject().put("name", "B")).getString("id");
    jane = owner.affiliate(campaignA, "jane@partner.example").getString("id");
    joe = owner.affiliate(campaignA, "joe@partner.example").getString("id");
    owner.create("/affiliates", new JsonObject().put("campaign_id", campaignB).put("email", "jane@partner.example"),
        201);
    String janeA = owner.link(campaignA, jane).getString("code");
    sold = owner.click(janeA);
    signedUp = owner.click(janeA);
    owner.click(janeA);
    owner.click(owner.link(campaignA, joe).getString("code"));
    owner.click(owner.link(campaignB, jane).getString("code") + "?sub1=newsletter");
    awaitTotal("/referrals", 5);
    assertEquals(200, owner.postback("transaction_id=S1&amount=20.00&customer_email=Buyer@Shop.example&click_id="
        + sold).statusCode());
    assertEquals(200, owner.postback("event=lead&transaction_id=L1&customer_email=lead@shop.example&click_id="
        + signedUp).statusCode());
    awaitTotal("/referrals?conversion_state=converted", 1);
    awaitTotal("/referrals?conversion_state=lead", 1);
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void eachVisitShowsItsLinkCampaignAffiliateAndSubIds() {
    JsonArray all = data("/referrals");
    assertEquals(5, all.size());
    JsonObject newsletter = data("/referrals?campaign_id=" + campaignB).getJsonObject(0);
    assertEquals("newsletter", newsletter.getString("sub1"));
    assertEquals(jane, newsletter.getString("affiliate_id"));
    assertEquals("not_converted", newsletter.getString("conversion_state"));
    assertEquals("127.0.0.1", newsletter.getString("ip"));
    assertTrue(newsletter.getBoolean("creditable"));
    assertTrue(newsletter.getString("created_at").endsWith("Z"));
  }

  @Test
  void filtersByAffiliateCampaignAndConversionState() {
    assertEquals(4, total("/referrals?affiliate_id=" + jane));
    assertEquals(1, total("/referrals?affiliate_id=" + joe));
    assertEquals(4, total("/referrals?campaign_id=" + campaignA));
    assertEquals(3, total("/referrals?affiliate_id=" + jane + "&campaign_id=" + campaignA));
    assertEquals(sold, data("/referrals?conversion_state=converted").getJsonObject(0).getString("id"));
    assertEquals(signedUp, data("/referrals?conversion_state=lead").getJsonObject(0).getString("id"));
    assertEquals(3, total("/referrals?conversion_state=not_converted"));
  }

  @Test
  void filtersByTheCustomersEmailWhateverItsCase() {
    JsonObject buyer = data("/referrals?email=buyer@shop.example").getJsonObject(0);
    assertEquals(sold, buyer.getString("id"));
    assertEquals("buyer@shop.example", buyer.getString("customer_email").toLowerCase(java.util.Locale.ROOT));
    assertEquals(signedUp, data("/referrals?email=LEAD@shop.example").getJsonObject(0).getString("id"));
    assertEquals(0, total("/referrals?email=nobody@shop.example"));
  }

  @Test
  void filtersByCreationTimeAsTheSeedWritesIt() {
    assertEquals(5, total("/referrals?created_after=2026-01-01T00:00:00Z&created_before="
        + Instant.now().plus(Duration.ofDays(1))));
    assertEquals(0, total("/referrals?created_after=" + Instant.now().plus(Duration.ofDays(1))));
    assertEquals(0, total("/referrals?created_before=2026-01-01T00:00:00Z"));
  }

  @Test
  void pagesNewestFirst() {
    JsonObject page = Http.json(owner.ownerGet("/referrals?limit=2&page=2"));
    assertEquals(2, page.getJsonArray("data").size());
    assertEquals(3, page.getJsonObject("pagination").getInteger("total_pages"));
    JsonArray all = data("/referrals");
    Set<String> times = all.stream().map(o -> ((JsonObject) o).getString("created_at")).collect(Collectors.toSet());
    assertTrue(all.getJsonObject(0).getString("created_at").compareTo(all.getJsonObject(4).getString("created_at")) >= 0,
        times.toString());
  }

  @Test
  void badFiltersAre400AndOtherProgramsSeeNothing() {
    HttpResponse<String> state = owner.ownerGet("/referrals?conversion_state=maybe");
    assertEquals(400, state.statusCode());
    assertTrue(Http.json(state).getString("error").startsWith("conversion_state:"), state.body());
    assertEquals(400, owner.ownerGet("/referrals?created_after=last-week").statusCode());
    assertEquals(400, owner.ownerGet("/referrals?affiliate_id=jane").statusCode());
    Fixtures other = new Fixtures(engine, "EUR");
    assertEquals(0, Http.json(other.ownerGet("/referrals")).getJsonObject("pagination").getLong("total_count"));
  }

  private static JsonArray data(String pathAndQuery) {
    HttpResponse<String> r = owner.ownerGet(pathAndQuery);
    assertEquals(200, r.statusCode(), r.body());
    return Http.json(r).getJsonArray("data");
  }

  private static long total(String pathAndQuery) {
    HttpResponse<String> r = owner.ownerGet(pathAndQuery);
    assertEquals(200, r.statusCode(), r.body());
    return Http.json(r).getJsonObject("pagination").getLong("total_count");
  }

  private static void awaitTotal(String pathAndQuery, long expected) {
    Http.poll(Duration.ofSeconds(30), r -> r.statusCode() == 200
            && Http.json(r).getJsonObject("pagination").getLong("total_count") == expected,
        engine.apiUrl() + pathAndQuery, "X-Api-Key", owner.ownerKey);
  }
}
