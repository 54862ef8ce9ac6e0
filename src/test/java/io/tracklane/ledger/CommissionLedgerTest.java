package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.LedgerEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Attribution, cadence, leads, FX and rejections through the edge, the ledger and the API. */
@Timeout(120)
class CommissionLedgerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  static final LedgerEngine LEDGER = new LedgerEngine();


  @Test
  void couponCreditsItsAffiliateAndBindsTheCustomerForLaterSales() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    JsonObject campaign = f.campaign(new JsonObject().put("commission_percent", 10));
    String affiliate = f.affiliate(campaign.getString("id"), "coupon@partner.example").getString("id");
    f.create("/coupons", new JsonObject().put("campaign_id", campaign.getString("id"))
        .put("affiliate_id", affiliate).put("code", "SPRING10"), 201);
    f.create("/coupons", new JsonObject().put("campaign_id", campaign.getString("id"))
        .put("affiliate_id", affiliate).put("code", "SPRING10"), 409);

    assertEquals(200, f.postback("transaction_id=c-1&amount=100.00&coupon=SPRING10&customer_id=cust-1").statusCode());
    assertEquals(200, f.postback("transaction_id=c-2&amount=50.00&customer_id=cust-1").statusCode());
    JsonArray commissions = awaitCommissions(f, 2);
    assertEquals(Set.of(1000L, 500L), amounts(commissions));
    commissions.stream().map(JsonObject.class::cast)
        .forEach(c -> assertEquals(affiliate, c.getString("affiliate_id")));
    assertEquals(1, Http.json(f.ownerGet("/coupons")).getJsonObject("pagination").getLong("total_count"));
  }

  @Test
  void leadEarnsItsRewardBindsTheCustomerAndOneTimePaysOnlyTheFirstSale() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    JsonObject campaign = f.campaign(new JsonObject().put("reward_type", "amount").put("commission_amount_cents", 900)
        .put("reward_cadence", "one_time").put("lead_reward_cents", 300));
    String affiliate = f.affiliate(campaign.getString("id"), "lead@partner.example").getString("id");
    String code = f.link(campaign.getString("id"), affiliate).getString("code");

    assertEquals(200, f.postback("event=lead&transaction_id=l-1&customer_id=cust-9&click_id=" + f.click(code))
        .statusCode());
    assertEquals(200, f.postback("transaction_id=s-1&amount=20.00&customer_id=cust-9").statusCode());
    assertEquals(200, f.postback("transaction_id=s-2&amount=20.00&customer_id=cust-9").statusCode());
    LEDGER.facts().awaitScalar(2, WAIT, "SELECT count(*) FROM conversions WHERE program_id = $1", f.programId);
    JsonArray commissions = awaitCommissions(f, 2);
    assertEquals(Set.of("lead:300", "sale:900"), commissions.stream().map(JsonObject.class::cast)
        .map(c -> c.getString("kind") + ":" + c.getLong("amount_cents")).collect(Collectors.toSet()));
    assertEquals(1, Http.json(f.ownerGet("/leads?status=credited")).getJsonObject("pagination")
        .getLong("total_count"));
    assertEquals(2, Http.json(f.ownerGet("/conversions?status=credited")).getJsonObject("pagination")
        .getLong("total_count"));
  }

  @Test
  void otherCurrencyIsConvertedAtTheStoredRateKeptOnTheCommission() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("commission_percent", 15),
        "fx@partner.example");
    HttpResponse<String> put = Http.put(LEDGER.engine().apiUrl() + "/fx_rates/USD/EUR", "application/json",
        "{\"rate\":\"0.9\"}", "X-Api-Key", f.ownerKey);
    assertEquals(200, put.statusCode(), put.body());

    assertEquals(200, f.postback("transaction_id=fx-1&amount=100.00&currency=USD&click_id=" + f.click(code))
        .statusCode());
    JsonObject commission = awaitCommissions(f, 1).getJsonObject(0);
    assertEquals(1350L, commission.getLong("amount_cents"));
    assertEquals("EUR", commission.getString("currency"));
    assertEquals(0, new BigDecimal("0.9").compareTo(new BigDecimal(String.valueOf(commission.getValue("fx_rate")))),
        commission.encode());
  }

  @Test
  void uncreditableEventsAreRejectedWithTheirReasonThroughTheApi() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    JsonObject campaign = f.campaign(new JsonObject().put("cookie_window_days", 7));
    String campaignId = campaign.getString("id");
    JsonObject link = f.link(campaignId, f.affiliate(campaignId, "ok@partner.example").getString("id"));
    String disabled = f.affiliate(campaignId, "gone@partner.example").getString("id");
    String disabledCode = f.link(campaignId, disabled).getString("code");
    String disabledClick = f.click(disabledCode);
    assertEquals(200, Http.put(LEDGER.engine().apiUrl() + "/affiliates/" + disabled, "application/json",
        "{\"state\":\"disabled\"}", "X-Api-Key", f.ownerKey).statusCode());

    f.postback("transaction_id=r-forged&amount=10.00&click_id=AAAAforgedclickid");
    f.postback("transaction_id=r-coupon&amount=10.00&coupon=NOPE");
    f.postback("transaction_id=r-none&amount=10.00&customer_id=stranger");
    f.postback("transaction_id=r-disabled&amount=10.00&click_id=" + disabledClick);
    f.postback("transaction_id=r-fx&amount=10.00&currency=USD&click_id=" + f.click(link.getString("code")));
    Instant now = Instant.now();
    String old = LEDGER.facts().clickId(Long.parseLong(link.getString("id")), now.minus(Duration.ofDays(8)));
    LEDGER.facts().send(Facts.postback(f.programId, now, new JsonObject().put("transaction_id", "r-expired")
        .put("click_id", old).put("amount_minor", 1000L).put("currency", "EUR")));

    HttpResponse<String> rejected = Http.poll(WAIT, r -> Http.json(r).getJsonObject("pagination")
        .getLong("total_count") == 6, LEDGER.engine().apiUrl() + "/rejected_events", "X-Api-Key", f.ownerKey);
    Map<String, String> reasons = Http.json(rejected).getJsonArray("data").stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(r -> r.getString("transaction_id"), r -> r.getString("reason")));
    assertEquals(Map.of("r-forged", "forged_click_id", "r-coupon", "unknown_coupon", "r-none", "no_attribution",
        "r-disabled", "affiliate_disabled", "r-fx", "no_fx_rate:USD->EUR", "r-expired", "expired_click"), reasons);
    assertEquals(0, Http.json(f.ownerGet("/commissions")).getJsonObject("pagination").getLong("total_count"));
    assertEquals(6, Http.json(f.ownerGet("/conversions?status=rejected")).getJsonObject("pagination")
        .getLong("total_count"));
  }

  @Test
  void commissionPeriodIsAnchoredOnTheFirstCommissionedSale() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    JsonObject campaign = f.campaign(new JsonObject().put("reward_cadence", "custom")
        .put("max_commission_period_months", 2).put("commission_percent", 10));
    String affiliate = f.affiliate(campaign.getString("id"), "period@partner.example").getString("id");
    long linkId = Long.parseLong(f.link(campaign.getString("id"), affiliate).getString("id"));
    Instant first = Instant.now().minus(Duration.ofDays(70));
    LEDGER.facts().send(Facts.postback(f.programId, first, new JsonObject().put("transaction_id", "p-1")
        .put("click_id", LEDGER.facts().clickId(linkId, first)).put("customer_id", "anchor").put("amount_minor", 1000L)
        .put("currency", "EUR")));
    LEDGER.facts().send(Facts.postback(f.programId, first.plus(Duration.ofDays(55)), new JsonObject()
        .put("transaction_id", "p-2").put("customer_id", "anchor").put("amount_minor", 2000L).put("currency", "EUR")));
    LEDGER.facts().send(Facts.postback(f.programId, first.plus(Duration.ofDays(65)), new JsonObject()
        .put("transaction_id", "p-3").put("customer_id", "anchor").put("amount_minor", 4000L).put("currency", "EUR")));
    LEDGER.facts().awaitScalar(3, WAIT,
        "SELECT count(*) FROM conversions WHERE program_id = $1 AND status = 'credited'",
        f.programId);
    assertEquals(Set.of(100L, 200L), amounts(awaitCommissions(f, 2)));
  }

  private static JsonArray awaitCommissions(Fixtures f, int count) {
    HttpResponse<String> r = Http.poll(WAIT, x -> Http.json(x).getJsonObject("pagination").getLong("total_count")
        == count, LEDGER.engine().apiUrl() + "/commissions?limit=100", "X-Api-Key", f.ownerKey);
    JsonArray data = Http.json(r).getJsonArray("data");
    assertTrue(data.size() == count);
    return data;
  }

  static Set<Long> amounts(JsonArray commissions) {
    return commissions.stream().map(JsonObject.class::cast).map(c -> c.getLong("amount_cents"))
        .collect(Collectors.toSet());
  }
}
