package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.domain.EventIds;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every example command of the API reference the REST API follows (Afglo's, seed 002), sent as
 * written: its URL and query string with only the host replaced, its key as the HTTP Basic user
 * with an empty password ({@code -u key:}), its body byte for byte with only ids replaced.
 */
@Timeout(180)
class SeedExamplesTest {
  private static final String SEED_HOST = "https://afglo.com/api/v1";
  private static final HttpClient CURL = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  /** A visit inside the window of the seed's date filter example. */
  private static final Instant SPRING_VISIT = Instant.parse("2026-03-15T10:00:00Z");

  private static TestEngine engine;
  private static Facts facts;
  private static Fixtures owner;
  private static String sk;
  private static String ak;
  private static String campaignId;
  private static String affiliateId;
  private static String springClickId;
  private static String payoutId;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(SeedExamplesTest.class, Map.of("ledger.due_job_ms", "200", "ledger.payout_job_ms", "0"));
    facts = new Facts(engine);
    owner = new Fixtures(engine, "USD");
    sk = owner.ownerKey;
    JsonObject campaign = owner.campaign(new JsonObject().put("name", "Spring").put("payout_delay_days", 0));
    campaignId = campaign.getString("id");
    affiliateId = owner.affiliate(campaignId, "partner@example.com").getString("id");
    ak = engine.affiliateKey(owner.programId, Long.parseLong(affiliateId));
    JsonObject link = owner.link(campaignId, affiliateId);

    springClickId = facts.clickId(Long.parseLong(link.getString("id")), SPRING_VISIT);
    facts.send(new CloudEvent(EventIds.click(springClickId), EventTypes.CLICK_RECORDED, owner.programId, SPRING_VISIT,
        new JsonObject().put("click_id", springClickId).put("link_id", Long.parseLong(link.getString("id")))
            .put("campaign_id", Long.parseLong(campaignId)).put("affiliate_id", Long.parseLong(affiliateId))
            .put("creditable", true).put("ip", "203.0.113.9").put("user_agent", "Mozilla/5.0")));

    sale(link.getString("code"), "ORDER-1");
    awaitTotal("/commissions?status=due", 1);
    HttpResponse<String> run = Http.post(engine.apiUrl() + "/payouts/run", "application/json", "{}",
        "X-Api-Key", sk);
    payoutId = Http.json(run).getJsonArray("payout_ids").getString(0);
    sale(link.getString("code"), "ORDER-2");
    awaitTotal("/commissions?status=due", 2);
    awaitTotal("/referrals?created_after=2026-01-01T00:00:00Z&created_before=2026-04-21T23:59:59Z", 1);
  }

  @AfterAll
  static void stop() {
    facts.close();
    engine.close();
  }

  // curl "https://afglo.com/api/v1/campaigns" -u "sk_your_api_key_here:"
  @Test
  void ownerListsCampaigns() {
    JsonObject page = ok(curl("GET", "https://afglo.com/api/v1/campaigns", "sk_your_api_key_here:", null));
    assertEnvelope(page, 25);
    JsonObject spring = page.getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(c -> campaignId.equals(c.getString("id"))).findFirst().orElseThrow();
    assertEquals("Spring", spring.getString("name"));
    assertEquals(15, spring.getInteger("commission_percent"));
  }

  // curl "https://afglo.com/api/v1/affiliate/campaigns" -u "ak_your_api_key_here:" (Authentication, and
  // "List your campaigns (affiliate)" under Common Queries)
  @Test
  void affiliateListsItsCampaigns() {
    JsonObject page = ok(curl("GET", "https://afglo.com/api/v1/affiliate/campaigns", "ak_your_api_key_here:", null));
    assertEnvelope(page, 25);
    JsonArray data = page.getJsonArray("data");
    assertEquals(1, data.size());
    JsonObject campaign = data.getJsonObject(0);
    assertEquals(campaignId, campaign.getString("id"));
    assertEquals(affiliateId, campaign.getJsonArray("links").getJsonObject(0).getString("affiliate_id"));
    assertTrue(campaign.getJsonArray("links").getJsonObject(0).getString("url").contains("/r/"));
  }

  // curl "https://afglo.com/api/v1/referrals?created_after=2026-01-01T00:00:00Z&created_before=2026-04-21T23:59:59Z"
  //   -u "sk_your_api_key_here:"
  @Test
  void ownerFiltersReferralsByDate() {
    JsonObject page = ok(curl("GET",
        "https://afglo.com/api/v1/referrals?created_after=2026-01-01T00:00:00Z&created_before=2026-04-21T23:59:59Z",
        "sk_your_api_key_here:", null));
    assertEnvelope(page, 25);
    JsonArray data = page.getJsonArray("data");
    assertTrue(data.stream().anyMatch(o -> springClickId.equals(((JsonObject) o).getString("id"))), data.encode());
    for (Object o : data) {
      Instant at = Instant.parse(((JsonObject) o).getString("created_at"));
      assertFalse(at.isBefore(Instant.parse("2026-01-01T00:00:00Z")) || at.isAfter(Instant.parse(
          "2026-04-21T23:59:59Z")), at.toString());
    }
    assertEquals("2026-03-15T10:00:00Z", data.getJsonObject(0).getString("created_at"));
  }

  // curl "https://afglo.com/api/v1/commissions?expand=sale,affiliate,campaign" -u "sk_your_api_key_here:"
  @Test
  void ownerExpandsCommissions() {
    JsonObject page = ok(curl("GET", "https://afglo.com/api/v1/commissions?expand=sale,affiliate,campaign",
        "sk_your_api_key_here:", null));
    assertEnvelope(page, 25);
    assertEquals(2, page.getJsonArray("data").size());
    for (Object o : page.getJsonArray("data")) {
      JsonObject c = (JsonObject) o;
      assertTrue(c.getJsonObject("sale").getString("transaction_id").startsWith("ORDER-"));
      assertEquals("partner@example.com", c.getJsonObject("affiliate").getString("email"));
      assertEquals("Spring", c.getJsonObject("campaign").getString("name"));
    }
  }

  // curl "https://afglo.com/api/v1/analytics?range=30d" -u "sk_your_api_key_here:"
  @Test
  void ownerReadsAnalytics() {
    JsonObject body = ok(curl("GET", "https://afglo.com/api/v1/analytics?range=30d", "sk_your_api_key_here:", null));
    for (String field : List.of("totals", "trends", "daily", "monthly", "sources", "top_affiliates", "campaigns")) {
      assertTrue(body.containsKey(field), field);
    }
    assertEquals("30d", body.getString("range"));
    JsonArray daily = body.getJsonArray("daily");
    assertEquals(30, daily.size());
    assertEquals(body.getString("from"), daily.getJsonObject(0).getString("date"));
    assertEquals(body.getString("to"), daily.getJsonObject(29).getString("date"));
    // The two sales of the setup, each through its own click (the spring visit is long before the range).
    JsonObject totals = body.getJsonObject("totals");
    assertEquals(2, totals.getInteger("conversions"));
    assertEquals(new JsonArray().add(new JsonObject().put("currency", "USD").put("amount_cents", 10_000)),
        totals.getJsonArray("revenue"));
    assertEquals(2, daily.stream().map(JsonObject.class::cast).mapToInt(d -> d.getInteger("conversions")).sum());
    JsonObject spring = body.getJsonArray("campaigns").getJsonObject(0);
    assertEquals(campaignId, spring.getString("campaign_id"));
    assertEquals("Spring", spring.getString("name"));
    assertEquals(affiliateId, body.getJsonArray("top_affiliates").getJsonObject(0).getString("affiliate_id"));
    assertEquals(List.of("clicks", "leads", "conversions"), List.copyOf(body.getJsonObject("trends").fieldNames()));
  }

  // curl "https://afglo.com/api/v1/commissions?status=due&limit=100" -u "sk_your_api_key_here:"
  @Test
  void ownerListsDueCommissions() {
    JsonObject page = ok(curl("GET", "https://afglo.com/api/v1/commissions?status=due&limit=100",
        "sk_your_api_key_here:", null));
    assertEnvelope(page, 100);
    JsonArray data = page.getJsonArray("data");
    assertFalse(data.isEmpty());
    data.forEach(o -> assertEquals("due", ((JsonObject) o).getString("status")));
  }

  // curl -X POST "https://afglo.com/api/v1/affiliates" -u "sk_your_api_key_here:" -H "Content-Type: application/json"
  //   -d '{"campaign_id":"cmo2...","first_name":"Jane","last_name":"Doe","email":"jane@example.com"}'
  @Test
  void ownerEnrollsAnAffiliate() {
    String body = "{\"campaign_id\":\"cmo2...\",\"first_name\":\"Jane\",\"last_name\":\"Doe\",\"email\":\"jane@example.com\"}"
        .replace("cmo2...", campaignId);
    HttpResponse<String> r = curl("POST", "https://afglo.com/api/v1/affiliates", "sk_your_api_key_here:", body);
    assertEquals(201, r.statusCode(), r.body());
    JsonObject jane = Http.json(r);
    assertEquals("Jane", jane.getString("first_name"));
    assertEquals("Doe", jane.getString("last_name"));
    assertEquals("jane@example.com", jane.getString("email"));
    assertEquals(campaignId, jane.getJsonArray("campaigns").getJsonObject(0).getString("campaign_id"));
    assertEquals("active", jane.getJsonArray("campaigns").getJsonObject(0).getString("state"),
        "the campaign approves affiliates automatically");
  }

  // The "Enroll affiliate body" of the Affiliates section, with its "state".
  @Test
  void ownerEnrollsAnAffiliateWithTheDocumentedBody() {
    String body = """
        {
        "campaign_id": "campaign_id_here",
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane.state@example.com",
        "state": "active"
        }""".replace("campaign_id_here", campaignId);
    HttpResponse<String> r = curl("POST", "https://afglo.com/api/v1/affiliates", "sk_your_api_key_here:", body);
    assertEquals(201, r.statusCode(), r.body());
    assertEquals("active", Http.json(r).getString("state"));
  }

  // The "Create campaign body" of the Campaigns section, byte for byte.
  @Test
  void ownerCreatesACampaignWithTheDocumentedBody() {
    String body = """
        {
        "name": "Summer Sale Affiliates",
        "description": "Affiliate program for summer promotion",
        "landing_page_url": "https://example.com",
        "reward_type": "percent",
        "commission_percent": 15,
        "cookie_window_days": 90,
        "minimum_payout_cents": 2000,
        "payout_delay_days": 30,
        "reward_cadence": "first_year",
        "max_commission_period_months": 12,
        "auto_approve_affiliates": true
        }""";
    HttpResponse<String> r = curl("POST", "https://afglo.com/api/v1/campaigns", "sk_your_api_key_here:", body);
    assertEquals(201, r.statusCode(), r.body());
    JsonObject created = Http.json(r);
    assertEquals("Summer Sale Affiliates", created.getString("name"));
    assertEquals(90, created.getInteger("cookie_window_days"));
    assertEquals("first_year", created.getString("reward_cadence"));
    assertEquals(12, created.getInteger("max_commission_period_months"));
  }

  // curl -X POST "https://afglo.com/api/v1/payouts/payout_id/mark_as_paid" -u "sk_your_api_key_here:"
  @Test
  void ownerMarksAPayoutPaid() {
    HttpResponse<String> r = curl("POST", "https://afglo.com/api/v1/payouts/payout_id/mark_as_paid"
        .replace("payout_id", payoutId), "sk_your_api_key_here:", null);
    JsonObject paid = ok(r);
    assertEquals(payoutId, paid.getString("id"));
    assertEquals("paid", paid.getString("status"));
    assertNotNull(paid.getString("paid_at"));
  }

  // The Error Responses section: {"error": "Campaign not found."}
  @Test
  void aMissingCampaignAnswersTheSeedsError() {
    HttpResponse<String> r = curl("GET", "https://afglo.com/api/v1/campaigns/999999999", "sk_your_api_key_here:",
        null);
    assertEquals(404, r.statusCode());
    assertEquals(new JsonObject().put("error", "Campaign not found."), Http.json(r));
  }

  /** The request curl would send: the seed's URL on the local engine, -u key: as Basic auth, -d as a JSON body. */
  private static HttpResponse<String> curl(String method, String seedUrl, String user, String data) {
    assertTrue(seedUrl.startsWith(SEED_HOST), seedUrl);
    String url = engine.apiUrl() + seedUrl.substring(SEED_HOST.length());
    String key = user.replace("sk_your_api_key_here", sk).replace("ak_your_api_key_here", ak);
    String[] basic = Http.basic(key.substring(0, key.length() - 1));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header(basic[0], basic[1]);
    if (data == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(data));
    }
    try {
      return CURL.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject ok(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    return Http.json(r);
  }

  /** The seed's collection envelope: data, and pagination with page, limit, total_count, total_pages. */
  private static void assertEnvelope(JsonObject page, int limit) {
    assertEquals(Set.of("data", "pagination"), page.fieldNames());
    JsonObject pagination = page.getJsonObject("pagination");
    assertEquals(Set.of("page", "limit", "total_count", "total_pages"), pagination.fieldNames());
    assertEquals(1, pagination.getInteger("page"));
    assertEquals(limit, pagination.getInteger("limit"));
    long total = pagination.getLong("total_count");
    assertEquals((total + limit - 1) / limit, pagination.getLong("total_pages"));
    assertEquals(Math.min(total, limit), page.getJsonArray("data").size());
  }

  private static void sale(String code, String transactionId) {
    HttpResponse<String> r = owner.postback("transaction_id=" + transactionId + "&amount=50.00&click_id="
        + owner.click(code));
    assertEquals(200, r.statusCode(), r.body());
  }

  private static void awaitTotal(String pathAndQuery, long expected) {
    Http.poll(Duration.ofSeconds(30), r -> r.statusCode() == 200
            && Http.json(r).getJsonObject("pagination").getLong("total_count") == expected,
        engine.apiUrl() + pathAndQuery, "X-Api-Key", sk);
  }
}
