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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Coupons read and updated one by one; a disabled coupon credits no sale, and its code never changes. */
@Timeout(120)
class CouponsApiTest {
  private static TestEngine engine;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(CouponsApiTest.class);
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void aCouponIsReadUpdatedAndAuditedButItsCodeStays() {
    Fixtures f = new Fixtures(engine, "EUR");
    String campaign = f.campaign(new JsonObject()).getString("id");
    String first = f.affiliate(campaign, "first@partner.example").getString("id");
    String second = f.affiliate(campaign, "second@partner.example").getString("id");
    JsonObject created = f.create("/coupons", new JsonObject().put("campaign_id", campaign).put("affiliate_id", first)
        .put("code", "SPRING10").put("description", "Spring newsletter"), 201);
    String id = created.getString("id");
    assertEquals(created, Http.json(f.ownerGet("/coupons/" + id)));
    assertEquals("active", created.getString("state"));

    HttpResponse<String> moved = put(f, id, new JsonObject().put("affiliate_id", second)
        .put("description", "Moved to the second partner").put("code", "SPRING10"));
    assertEquals(200, moved.statusCode(), moved.body());
    assertEquals(second, Http.json(moved).getString("affiliate_id"));
    assertEquals("SPRING10", Http.json(moved).getString("code"), "sending the same code is no change");
    assertEquals("Moved to the second partner", Http.json(f.ownerGet("/coupons/" + id)).getString("description"));

    HttpResponse<String> recoded = put(f, id, new JsonObject().put("code", "SUMMER10"));
    assertEquals(400, recoded.statusCode());
    assertTrue(Http.json(recoded).getString("error").startsWith("code cannot be changed"), recoded.body());
    assertEquals(400, put(f, id, new JsonObject().put("state", "expired")).statusCode());
    assertEquals(400, put(f, id, new JsonObject().put("colour", "red")).statusCode());
    assertEquals(400, put(f, id, new JsonObject().putNull("state")).statusCode());

    JsonArray audit = Http.json(f.ownerGet("/audit_log?entity=coupon&entity_id=" + id)).getJsonArray("data");
    assertEquals(2, audit.size(), audit.encode());
    assertEquals("coupon.updated", audit.getJsonObject(0).getString("action"));
    assertEquals(first, audit.getJsonObject(0).getJsonObject("before").getString("affiliate_id"));
    assertEquals(Http.json(moved), audit.getJsonObject(0).getJsonObject("after"));
  }

  @Test
  void anotherProgramsCouponIsNotFoundAndCannotBeChangedOrReassigned() {
    Fixtures f = new Fixtures(engine, "EUR");
    String campaign = f.campaign(new JsonObject()).getString("id");
    String affiliate = f.affiliate(campaign, "mine@partner.example").getString("id");
    String id = f.create("/coupons", new JsonObject().put("campaign_id", campaign).put("affiliate_id", affiliate)
        .put("code", "MINE"), 201).getString("id");
    Fixtures other = new Fixtures(engine, "EUR");
    String theirCampaign = other.campaign(new JsonObject()).getString("id");
    String theirAffiliate = other.affiliate(theirCampaign, "theirs@partner.example").getString("id");

    assertEquals(404, other.ownerGet("/coupons/" + id).statusCode());
    assertEquals(404, put(other, id, new JsonObject().put("state", "disabled")).statusCode());
    assertEquals(400, put(f, id, new JsonObject().put("affiliate_id", theirAffiliate)).statusCode());
    assertEquals(404, f.ownerGet("/coupons/999999999").statusCode());
    JsonObject unchanged = Http.json(f.ownerGet("/coupons/" + id));
    assertEquals("active", unchanged.getString("state"));
    assertEquals(affiliate, unchanged.getString("affiliate_id"));
  }

  @Test
  void aDisabledCouponCreditsNoSaleUntilItIsActiveAgain() {
    Fixtures f = new Fixtures(engine, "EUR");
    String campaign = f.campaign(new JsonObject().put("payout_delay_days", 0)).getString("id");
    String affiliate = f.affiliate(campaign, "coupon@partner.example").getString("id");
    String id = f.create("/coupons", new JsonObject().put("campaign_id", campaign).put("affiliate_id", affiliate)
        .put("code", "SAVE5"), 201).getString("id");
    assertEquals(200, f.postback("transaction_id=C1&amount=10.00&coupon=SAVE5").statusCode());
    awaitConversions(f, "credited", 1);

    HttpResponse<String> disabled = put(f, id, new JsonObject().put("state", "disabled"));
    assertEquals(200, disabled.statusCode(), disabled.body());
    assertEquals("disabled", Http.json(disabled).getString("state"));
    assertEquals(200, f.postback("transaction_id=C2&amount=10.00&coupon=SAVE5").statusCode());
    JsonObject rejected = awaitConversions(f, "rejected", 1).getJsonObject(0);
    assertEquals("C2", rejected.getString("transaction_id"));
    assertEquals("coupon_disabled", rejected.getString("reject_reason"));

    assertEquals(200, put(f, id, new JsonObject().put("state", "active")).statusCode());
    assertEquals(200, f.postback("transaction_id=C3&amount=10.00&coupon=SAVE5").statusCode());
    awaitConversions(f, "credited", 2);
    assertEquals(2, Http.json(f.ownerGet("/commissions")).getJsonObject("pagination").getLong("total_count"));
  }

  private static JsonArray awaitConversions(Fixtures f, String status, int count) {
    return Http.json(Http.poll(Duration.ofSeconds(30), r -> Http.json(r).getJsonObject("pagination")
        .getLong("total_count") == count, engine.apiUrl() + "/conversions?status=" + status, "X-Api-Key",
        f.ownerKey)).getJsonArray("data");
  }

  private static HttpResponse<String> put(Fixtures f, String id, JsonObject body) {
    return Http.put(engine.apiUrl() + "/coupons/" + id, "application/json", body.encode(), "X-Api-Key", f.ownerKey);
  }
}
