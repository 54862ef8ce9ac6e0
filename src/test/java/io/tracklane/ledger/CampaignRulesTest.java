package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.LedgerEngine;
import io.tracklane.testing.Http;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Campaign terms the ledger relies on: a fixed currency once money exists, its default, its cadence. */
@Timeout(120)
class CampaignRulesTest {
  @RegisterExtension
  static final LedgerEngine LEDGER = new LedgerEngine();
  private static final Duration WAIT = LedgerEngine.WAIT;

  @Test
  void campaignCurrencyCannotChangeOnceACommissionWasRecorded() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    JsonObject campaign = f.campaign(new JsonObject());
    String id = campaign.getString("id");
    assertEquals(200, updateCampaign(f, id, "USD").statusCode(), "nothing recorded yet: free to change");
    assertEquals(200, updateCampaign(f, id, "EUR").statusCode());
    String code = f.link(id, f.affiliate(id, "fixed@partner.example").getString("id")).getString("code");
    assertEquals(200, f.postback("transaction_id=cur-1&amount=10.00&click_id=" + f.click(code)).statusCode());
    LEDGER.facts().awaitScalar(1, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1", f.programId);

    HttpResponse<String> refused = updateCampaign(f, id, "JPY");
    assertEquals(409, refused.statusCode(), refused.body());
    assertEquals("EUR", Http.json(f.ownerGet("/campaigns/" + id)).getString("currency"));
    assertEquals(200, updateCampaign(f, id, "EUR").statusCode(), "the same currency is no change");
  }

  @Test
  void aPostbackWithoutCurrencyIsInTheCurrencyOfTheCampaignItIsCreditedTo() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String campaign = f.campaign(new JsonObject().put("currency", "JPY").put("commission_percent", 10)).getString("id");
    String affiliate = f.affiliate(campaign, "yen@partner.example").getString("id");
    f.create("/coupons", new JsonObject().put("campaign_id", campaign).put("affiliate_id", affiliate)
        .put("code", "YEN"), 201);
    assertEquals(200, f.postback("transaction_id=y-1&amount=5000&coupon=YEN&customer_id=yc").statusCode());
    // By the customer's binding alone: still the campaign's currency.
    assertEquals(200, f.postback("transaction_id=y-2&amount=3000&customer_id=yc").statusCode());
    LEDGER.facts().awaitScalar(2, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1", f.programId);
    assertEquals(List.of("y-1 5000 JPY 500", "y-2 3000 JPY 300"), LEDGER.facts().sql("""
        SELECT v.transaction_id || ' ' || v.amount_minor || ' ' || v.currency || ' ' || m.amount_minor AS line
          FROM conversions v JOIN commissions m ON m.conversion_id = v.id
         WHERE v.program_id = $1 ORDER BY v.transaction_id""", f.programId).stream()
        .map(r -> r.getString("line")).toList());
    // More decimals than yen have: rejected by the ledger, which alone knows the campaign's currency.
    assertEquals(200, f.postback("transaction_id=y-3&amount=10.5&coupon=YEN").statusCode());
    LEDGER.facts().awaitScalar(1, WAIT, "SELECT count(*) FROM rejected_events WHERE program_id = $1"
        + " AND reason = 'invalid_amount'", f.programId);
  }

  @Test
  void cadenceIsCountedPerCampaignWhileTheBindingStaysPerProgram() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String every = f.campaign(new JsonObject().put("reward_cadence", "every_payment").put("commission_percent", 10))
        .getString("id");
    String once = f.campaign(new JsonObject().put("reward_cadence", "one_time").put("commission_percent", 20))
        .getString("id");
    String first = f.affiliate(every, "every@partner.example").getString("id");
    String second = f.affiliate(once, "once@partner.example").getString("id");
    f.create("/coupons", new JsonObject().put("campaign_id", every).put("affiliate_id", first).put("code", "EV"), 201);
    f.create("/coupons", new JsonObject().put("campaign_id", once).put("affiliate_id", second).put("code", "ON"), 201);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, f.postback("transaction_id=ev-" + i + "&amount=10.00&coupon=EV&customer_id=cc").statusCode());
    }
    LEDGER.facts().awaitScalar(3, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1", f.programId);
    // Three sales under the every-payment campaign do not use up the one-time campaign's commission.
    assertEquals(200, f.postback("transaction_id=on-1&amount=10.00&coupon=ON&customer_id=cc").statusCode());
    assertEquals(200, f.postback("transaction_id=on-2&amount=10.00&coupon=ON&customer_id=cc").statusCode());
    LEDGER.facts().awaitScalar(5, WAIT, "SELECT count(*) FROM conversions WHERE program_id = $1", f.programId);
    LEDGER.facts().awaitScalar(4, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1", f.programId);
    assertEquals(200L, LEDGER.facts().scalar("SELECT m.amount_minor FROM commissions m JOIN conversions v"
        + " ON v.id = m.conversion_id WHERE v.program_id = $1 AND v.transaction_id = 'on-1'", f.programId));
    // The binding is per program: still the first affiliate, and a sale without coupon earns for it.
    assertEquals(Long.parseLong(first), LEDGER.facts().scalar("SELECT affiliate_id FROM customers WHERE program_id = $1",
        f.programId));
    assertEquals(200, f.postback("transaction_id=bound-1&amount=10.00&customer_id=cc").statusCode());
    LEDGER.facts().awaitScalar(4, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1 AND affiliate_id = $2",
        f.programId, Long.parseLong(first));
  }

  @Test
  void clientConversionsAreMarkedAndHeldForApprovalWhereTheCampaignSaysSo() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    JsonObject campaign = f.campaign(new JsonObject().put("accept_client_conversions", true)
        .put("hold_client_conversions", true).put("payout_delay_days", 0));
    assertEquals(true, campaign.getBoolean("hold_client_conversions"), campaign.encode());
    String id = campaign.getString("id");
    String code = f.link(id, f.affiliate(id, "pixel@partner.example").getString("id")).getString("code");
    assertEquals(200, Http.get(LEDGER.engine().edgeUrl() + "/c.gif?transaction_id=px-1&amount=20.00", "Cookie",
        "tl_click=" + f.click(code)).statusCode());
    assertEquals(200, f.postback("transaction_id=s2s-1&amount=20.00&click_id=" + f.click(code)).statusCode());
    LEDGER.facts().awaitScalar(2, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1", f.programId);
    Http.sleep(1000);

    Map<String, JsonObject> conversions = new java.util.HashMap<>();
    Http.json(f.ownerGet("/conversions")).getJsonArray("data").stream().map(JsonObject.class::cast)
        .forEach(c -> conversions.put(c.getString("transaction_id"), c));
    assertEquals("client", conversions.get("px-1").getString("trust"));
    assertEquals("server", conversions.get("s2s-1").getString("trust"));
    // The server's sale falls due after its delay (0 days); the browser's waits for the owner.
    JsonObject held = commissionOf(f, conversions.get("px-1").getString("id"));
    assertEquals("pending", held.getString("status"), held.encode());
    assertEquals(true, held.getBoolean("held"), held.encode());
    assertEquals("due", commissionOf(f, conversions.get("s2s-1").getString("id")).getString("status"));
    HttpResponse<String> approved = Http.put(LEDGER.engine().apiUrl() + "/commissions/" + held.getString("id"),
        "application/json", "{\"status\":\"due\"}", "X-Api-Key", f.ownerKey);
    assertEquals(200, approved.statusCode(), approved.body());
    assertEquals(false, Http.json(approved).getBoolean("held"), approved.body());
  }

  private static JsonObject commissionOf(Fixtures f, String conversionId) {
    return Http.json(f.ownerGet("/commissions?limit=100")).getJsonArray("data").stream()
        .map(JsonObject.class::cast).filter(c -> conversionId.equals(c.getString("conversion_id"))).findFirst()
        .orElseThrow();
  }

  private static HttpResponse<String> updateCampaign(Fixtures f, String id, String currency) {
    return Http.put(LEDGER.engine().apiUrl() + "/campaigns/" + id, "application/json",
        new JsonObject().put("currency", currency).encode(), "X-Api-Key", f.ownerKey);
  }
}
