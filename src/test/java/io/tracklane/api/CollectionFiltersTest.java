package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
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

/**
 * The seed's filters on every collection: each field filter selects exactly its rows within the
 * program, and created_after/created_before take RFC 3339 date-times only.
 */
@Timeout(180)
class CollectionFiltersTest {
  private static final List<String> COLLECTIONS = List.of("/campaigns", "/affiliates", "/affiliate_links", "/coupons",
      "/leads", "/conversions", "/commissions", "/payouts", "/rejected_events", "/audit_log");
  private static final String PAST = "2020-01-01T00:00:00Z";
  private static final String FUTURE = "2999-01-01T00:00:00Z";

  private static TestEngine engine;
  private static Fixtures f;
  private static String campaignA;
  private static String campaignB;
  private static String x;
  private static String y;

  /** Campaigns A and B; affiliate x in A, y in B, each with a link, a coupon, a lead, a sale and a payout. */
  @BeforeAll
  static void start() {
    engine = TestEngine.start(CollectionFiltersTest.class, Map.of("ledger.due_job_ms", "200",
        "ledger.payout_job_ms", "0"));
    f = new Fixtures(engine, "EUR");
    campaignA = f.campaign(new JsonObject().put("name", "A").put("payout_delay_days", 0)).getString("id");
    campaignB = f.campaign(new JsonObject().put("name", "B").put("payout_delay_days", 0)).getString("id");
    x = f.affiliate(campaignA, "x@partner.example").getString("id");
    y = f.affiliate(campaignB, "y@partner.example").getString("id");
    String codeX = f.link(campaignA, x).getString("code");
    String codeY = f.link(campaignB, y).getString("code");
    f.create("/coupons", new JsonObject().put("campaign_id", campaignA).put("affiliate_id", x).put("code", "XA"), 201);
    f.create("/coupons", new JsonObject().put("campaign_id", campaignB).put("affiliate_id", y).put("code", "YB")
        .put("state", "disabled"), 201);
    for (String[] s : new String[][] {{codeX, "x"}, {codeY, "y"}}) {
      String click = f.click(s[0]);
      assertEquals(200, f.postback("event=lead&transaction_id=lead-" + s[1] + "&customer_email=Lead-" + s[1]
          + "@buyer.example&click_id=" + click).statusCode());
      assertEquals(200, f.postback("transaction_id=sale-" + s[1] + "&amount=10.00&customer_email=buyer-" + s[1]
          + "@buyer.example&click_id=" + click).statusCode());
    }
    f.awaitCommissions("due", 2);
    HttpResponse<String> run = Http.post(engine.apiUrl() + "/payouts/run", "application/json", "{}",
        "X-Api-Key", f.ownerKey);
    assertEquals(2, Http.json(run).getJsonArray("payout_ids").size(), run.body());
    String payoutX = only("/payouts?affiliate_id=" + x);
    assertEquals(200, Http.post(engine.apiUrl() + "/payouts/" + payoutX + "/mark_as_paid", "application/json", "{}",
        "X-Api-Key", f.ownerKey).statusCode());
    // The same sale again: a duplicate, kept as a rejected event.
    assertEquals(200, f.postback("transaction_id=sale-x&amount=10.00&click_id=" + f.click(codeX)).statusCode());
    Http.poll(Duration.ofSeconds(30), r -> Http.json(r).getJsonObject("pagination").getLong("total_count") == 1,
        engine.apiUrl() + "/rejected_events", "X-Api-Key", f.ownerKey);
    assertEquals(200, Http.put(engine.apiUrl() + "/affiliates/" + y, "application/json", "{\"state\":\"disabled\"}",
        "X-Api-Key", f.ownerKey).statusCode());
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void affiliatesFilterByCampaignEmailAndState() {
    assertEquals(Set.of(x), ids("/affiliates?campaign_id=" + campaignA));
    assertEquals(Set.of(x), ids("/affiliates?email=X@Partner.example"));
    assertEquals(Set.of(y), ids("/affiliates?state=disabled"));
    assertEquals(Set.of(x), ids("/affiliates?state=active"));
    assertEquals(Set.of(), ids("/affiliates?state=active&campaign_id=" + campaignB));
  }

  @Test
  void linksAndCouponsFilterByAffiliateCampaignAndState() {
    assertEquals(field("/affiliate_links?affiliate_id=" + x, "affiliate_id"), Set.of(x));
    assertEquals(field("/affiliate_links?campaign_id=" + campaignB, "affiliate_id"), Set.of(y));
    assertEquals(2, count("/affiliate_links?state=active"));
    assertEquals(Set.of("XA"), field("/coupons?affiliate_id=" + x, "code"));
    assertEquals(Set.of("YB"), field("/coupons?campaign_id=" + campaignB, "code"));
    assertEquals(Set.of("YB"), field("/coupons?state=disabled", "code"));
    assertEquals(Set.of("XA"), field("/coupons?code=XA", "code"));
  }

  @Test
  void leadsAndConversionsFilterByAffiliateCampaignAndCustomerEmail() {
    assertEquals(Set.of("lead-x"), field("/leads?affiliate_id=" + x, "transaction_id"));
    assertEquals(Set.of("lead-y"), field("/leads?campaign_id=" + campaignB, "transaction_id"));
    assertEquals(Set.of("lead-x"), field("/leads?email=lead-x@BUYER.example", "transaction_id"));
    assertEquals(Set.of("sale-x"), field("/conversions?affiliate_id=" + x, "transaction_id"));
    assertEquals(Set.of("sale-y"), field("/conversions?campaign_id=" + campaignB, "transaction_id"));
    assertEquals(Set.of("sale-y"), field("/conversions?customer_email=buyer-y@buyer.example", "transaction_id"));
    assertEquals(0, count("/conversions?customer_email=nobody@buyer.example"));
  }

  @Test
  void commissionsAndPayoutsFilterByAffiliateCampaignAndStatus() {
    assertEquals(Set.of(x), field("/commissions?affiliate_id=" + x, "affiliate_id"));
    assertEquals(Set.of(campaignB), field("/commissions?campaign_id=" + campaignB, "campaign_id"));
    assertEquals(Set.of(x), field("/commissions?status=paid", "affiliate_id"));
    assertEquals(Set.of(y), field("/commissions?status=due", "affiliate_id"));
    assertEquals(Set.of(x), field("/payouts?affiliate_id=" + x, "affiliate_id"));
    assertEquals(Set.of(y), field("/payouts?campaign_id=" + campaignB, "affiliate_id"));
    assertEquals(Set.of(x), field("/payouts?status=paid", "affiliate_id"));
    assertEquals(Set.of(y), field("/payouts?status=pending", "affiliate_id"));
  }

  @Test
  void everyCollectionFiltersByCreationTime() {
    for (String path : COLLECTIONS) {
      long all = count(path);
      assertTrue(all > 0, path + " has rows to filter");
      assertEquals(all, count(path + "?created_after=" + PAST), path);
      assertEquals(all, count(path + "?created_before=" + FUTURE), path);
      assertEquals(0, count(path + "?created_after=" + FUTURE), path);
      assertEquals(0, count(path + "?created_before=" + PAST), path);
      assertEquals(all, count(path + "?created_after=2020-01-01T01:00:00%2B01:00"), path + " with an offset");
    }
  }

  @Test
  void aBareDateOrAnythingButADateTimeIs400OnEveryCollection() {
    for (String path : COLLECTIONS) {
      for (String bad : new String[] {"2026-01-01", "2026-01-01T00:00Z", "yesterday", "2026-02-30T00:00:00Z",
          "2026-01-01T00:00:00"}) {
        for (String name : new String[] {"created_after", "created_before"}) {
          HttpResponse<String> r = f.ownerGet(path + "?" + name + "=" + bad);
          assertEquals(400, r.statusCode(), path + " " + name + "=" + bad);
          assertTrue(Http.json(r).getString("error").contains(name), r.body());
        }
      }
    }
  }

  @Test
  void filtersNeverReachAnotherProgram() {
    Fixtures other = new Fixtures(engine, "EUR");
    for (String path : COLLECTIONS) {
      String query = path.equals("/affiliates") ? "?campaign_id=" + campaignA : "?affiliate_id=" + x;
      if (path.equals("/campaigns") || path.equals("/rejected_events") || path.equals("/audit_log")) {
        query = "?created_after=" + PAST;
      }
      HttpResponse<String> r = other.ownerGet(path + query);
      assertEquals(200, r.statusCode(), path + " " + r.body());
      long expected = path.equals("/audit_log") ? 2 : 0;
      assertEquals(expected, Http.json(r).getJsonObject("pagination").getLong("total_count"), path);
    }
  }

  private static long count(String pathAndQuery) {
    HttpResponse<String> r = f.ownerGet(pathAndQuery);
    assertEquals(200, r.statusCode(), pathAndQuery + " " + r.body());
    return Http.json(r).getJsonObject("pagination").getLong("total_count");
  }

  private static Set<String> ids(String pathAndQuery) {
    return field(pathAndQuery, "id");
  }

  private static Set<String> field(String pathAndQuery, String name) {
    HttpResponse<String> r = f.ownerGet(pathAndQuery);
    assertEquals(200, r.statusCode(), pathAndQuery + " " + r.body());
    return Http.json(r).getJsonArray("data").stream().map(o -> ((JsonObject) o).getString(name))
        .collect(Collectors.toSet());
  }

  private static String only(String pathAndQuery) {
    Set<String> found = ids(pathAndQuery);
    assertEquals(1, found.size(), pathAndQuery);
    return found.iterator().next();
  }
}
