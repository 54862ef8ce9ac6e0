package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.Engine;
import io.tracklane.testing.CountingPool;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** expand= inlines related objects, costing one query per relation for a whole page, never one per row. */
@Timeout(180)
class ExpandTest {
  private static final int SALES = 5;

  private static TestEngine engine;
  private static Fixtures owner;
  private static CountingPool counting;
  private static HttpServer countedApi;
  private static JsonObject campaign;
  private static JsonObject affiliate;
  private static String payoutId;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(ExpandTest.class, Map.of("ledger.due_job_ms", "200", "ledger.payout_job_ms", "0"));
    owner = new Fixtures(engine, "EUR");
    campaign = owner.campaign(new JsonObject().put("name", "Expanded").put("payout_delay_days", 0));
    affiliate = owner.affiliate(campaign.getString("id"), "expand@partner.example");
    String code = owner.link(campaign.getString("id"), affiliate.getString("id")).getString("code");
    assertEquals(200, owner.postback("event=lead&transaction_id=LEAD-1&customer_email=lead@shop.example&click_id="
        + owner.click(code)).statusCode());
    for (int i = 0; i < SALES; i++) {
      assertEquals(200, owner.postback("transaction_id=SALE-" + i + "&amount=10.00&click_id=" + owner.click(code))
          .statusCode());
    }
    Http.poll(Duration.ofSeconds(30), r -> Http.json(r).getJsonObject("pagination").getLong("total_count") == SALES,
        engine.apiUrl() + "/commissions?status=due", "X-Api-Key", owner.ownerKey);
    HttpResponse<String> run = Http.post(engine.apiUrl() + "/payouts/run", "application/json", "{}",
        "X-Api-Key", owner.ownerKey);
    payoutId = Http.json(run).getJsonArray("payout_ids").getString(0);

    counting = new CountingPool(engine.engine().pool());
    countedApi = TestEngine.await(engine.vertx().createHttpServer()
        .requestHandler(TestEngine.await(Engine.apiRouter(engine.vertx(), engine.config(), counting.pool(),
            engine.engine().apiAccess(), engine.engine().publisher(), java.time.Clock.systemUTC())))
        .listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    TestEngine.await(countedApi.close());
    engine.close();
  }

  @Test
  void commissionsInlineTheirSaleAffiliateAndCampaign() {
    JsonArray rows = data("/commissions?expand=sale,affiliate,campaign");
    assertEquals(SALES, rows.size());
    for (Object o : rows) {
      JsonObject c = (JsonObject) o;
      assertEquals(c.getString("conversion_id"), c.getJsonObject("sale").getString("id"), "the id field stays");
      assertTrue(c.getJsonObject("sale").getString("transaction_id").startsWith("SALE-"));
      assertEquals(1000L, c.getJsonObject("sale").getLong("amount_cents"));
      assertEquals("expand@partner.example", c.getJsonObject("affiliate").getString("email"));
      assertEquals("Expanded", c.getJsonObject("campaign").getString("name"));
      assertEquals(15, c.getJsonObject("campaign").getInteger("commission_percent"));
      assertTrue(!c.containsKey("payout"), "only what was asked is inlined");
    }
  }

  @Test
  void expandCostsOneQueryPerRelationWhateverThePageSize() {
    int plainOne = statements("/commissions?limit=1").size();
    int plainFive = statements("/commissions?limit=" + SALES).size();
    assertEquals(plainOne, plainFive, "a page is a fixed number of statements");

    List<String> one = statements("/commissions?limit=1&expand=sale,affiliate,campaign");
    List<String> five = statements("/commissions?limit=" + SALES + "&expand=sale,affiliate,campaign");
    assertEquals(plainOne + 3, one.size(), one.toString());
    assertEquals(plainFive + 3, five.size(), "three relations, three statements for " + SALES + " rows: " + five);
    assertEquals(3, five.stream().filter(sql -> sql.contains("= ANY(")).count(), five.toString());

    List<String> payoutWithCommissions = statements("/payouts/" + payoutId + "?expand=affiliate,commissions");
    assertEquals(statements("/payouts/" + payoutId).size() + 2, payoutWithCommissions.size(),
        payoutWithCommissions.toString());
  }

  @Test
  void aSingleCommissionAndAPayoutExpandToo() {
    String id = data("/commissions?limit=1").getJsonObject(0).getString("id");
    JsonObject one = Http.json(owner.ownerGet("/commissions/" + id + "?expand=sale,payout"));
    assertEquals(one.getString("conversion_id"), one.getJsonObject("sale").getString("id"));
    assertEquals(payoutId, one.getJsonObject("payout").getString("id"));

    JsonObject payout = Http.json(owner.ownerGet("/payouts/" + payoutId + "?expand=affiliate,commissions"));
    assertEquals(affiliate.getString("id"), payout.getJsonObject("affiliate").getString("id"));
    assertEquals(SALES, payout.getJsonArray("commissions").size());
    long sum = payout.getJsonArray("commissions").stream().mapToLong(c -> ((JsonObject) c).getLong("amount_cents"))
        .sum();
    assertEquals(payout.getLong("amount_cents"), sum, "the inlined commissions are the payout's");
    assertEquals(SALES, data("/payouts?expand=commissions").getJsonObject(0).getJsonArray("commissions").size());
  }

  @Test
  void conversionsAndLeadsExpandTheirRelations() {
    JsonArray conversions = data("/conversions?expand=affiliate,campaign,commissions");
    assertEquals(SALES, conversions.size());
    for (Object o : conversions) {
      JsonObject v = (JsonObject) o;
      assertEquals(affiliate.getString("id"), v.getJsonObject("affiliate").getString("id"));
      assertEquals(campaign.getString("id"), v.getJsonObject("campaign").getString("id"));
      JsonArray commissions = v.getJsonArray("commissions");
      assertEquals(1, commissions.size());
      assertEquals(v.getString("id"), commissions.getJsonObject(0).getString("conversion_id"));
    }
    JsonObject lead = data("/leads?expand=campaign,affiliate").getJsonObject(0);
    assertEquals("Expanded", lead.getJsonObject("campaign").getString("name"));
    assertEquals("expand@partner.example", lead.getJsonObject("affiliate").getString("email"));
  }

  @Test
  void aRelationWithoutAnIdInlinesNull() {
    // A commission earned by a lead has no sale.
    Http.poll(Duration.ofSeconds(10), r -> Http.json(r).getJsonObject("pagination").getLong("total_count") >= 1,
        engine.apiUrl() + "/leads", "X-Api-Key", owner.ownerKey);
    JsonArray rows = data("/commissions?expand=sale,payout&limit=100");
    for (Object o : rows) {
      JsonObject c = (JsonObject) o;
      if (c.getString("conversion_id") == null) {
        assertNull(c.getValue("sale"));
      }
      assertTrue(c.containsKey("sale") && c.containsKey("payout"), c.encode());
    }
  }

  @Test
  void anUnknownExpandValueIs400NamingIt() {
    HttpResponse<String> r = owner.ownerGet("/commissions?expand=sale,customer");
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("unknown expand value: customer (allowed: sale, affiliate, campaign, payout)",
        Http.json(r).getString("error"));
    assertEquals(400, owner.ownerGet("/payouts/" + payoutId + "?expand=sale").statusCode());
    HttpResponse<String> empty = owner.ownerGet("/leads?expand=");
    assertEquals(400, empty.statusCode());
    assertTrue(Http.json(empty).getString("error").startsWith("expand"), empty.body());
  }

  private static JsonArray data(String pathAndQuery) {
    HttpResponse<String> r = owner.ownerGet(pathAndQuery);
    assertEquals(200, r.statusCode(), r.body());
    return Http.json(r).getJsonArray("data");
  }

  /** The statements one GET through the counted API costs. */
  private static List<String> statements(String pathAndQuery) {
    counting.reset();
    HttpResponse<String> r = Http.get("http://127.0.0.1:" + countedApi.actualPort() + "/api/v1" + pathAndQuery,
        "X-Api-Key", owner.ownerKey);
    assertEquals(200, r.statusCode(), r.body());
    return counting.statements();
  }
}
