package io.tracklane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The whole path through HTTP only: link, click, postback, commission; and the repeat changes nothing. */
@Timeout(120)
class EndToEndTest {
  private static TestEngine engine;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(EndToEndTest.class);
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void clickThenPostbackCreditsOneExactCommissionAndTheRepeatChangesNothing() {
    Fixtures f = new Fixtures(engine, "EUR");
    JsonObject campaign = f.campaign(new JsonObject().put("commission_percent", 12.5));
    JsonObject affiliate = f.affiliate(campaign.getString("id"), "jane@partner.example");
    JsonObject link = f.link(campaign.getString("id"), affiliate.getString("id"));

    HttpResponse<String> redirect = Http.get(engine.edgeUrl() + "/r/" + link.getString("code") + "?sub1=spring");
    assertEquals(302, redirect.statusCode());
    String location = redirect.headers().firstValue("Location").orElseThrow();
    assertTrue(location.startsWith("https://shop.example/land?click_id="), location);
    String clickId = Fixtures.query(location).get("click_id");
    String cookie = redirect.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.startsWith("tl_click=" + clickId + ";"), cookie);
    assertTrue(cookie.contains("Max-Age=2592000") && cookie.contains("HttpOnly") && cookie.contains("Secure")
        && cookie.contains("SameSite=Lax"), cookie);

    // 12.5% of 33.33 EUR is 4.16625: half-even to the cent gives 4.17.
    String form = "transaction_id=order-42&amount=33.33&click_id=" + clickId;
    HttpResponse<String> accepted = f.postback(form);
    assertEquals(200, accepted.statusCode(), accepted.body());
    assertEquals("accepted", Http.json(accepted).getString("status"));
    String eventId = Http.json(accepted).getString("event_id");
    assertNotNull(eventId);

    HttpResponse<String> commissions = Http.poll(Duration.ofSeconds(30),
        r -> Http.json(r).getJsonObject("pagination").getLong("total_count") == 1,
        engine.apiUrl() + "/commissions", Http.basic(f.ownerKey));
    JsonObject commission = Http.json(commissions).getJsonArray("data").getJsonObject(0);
    assertEquals(417L, commission.getLong("amount_cents"));
    assertEquals("EUR", commission.getString("currency"));
    assertEquals("pending", commission.getString("status"));
    assertEquals(affiliate.getString("id"), commission.getString("affiliate_id"));

    HttpResponse<String> repeat = f.postback(form);
    assertEquals(200, repeat.statusCode(), repeat.body());
    assertEquals(eventId, Http.json(repeat).getString("event_id"));
    // A sale that is processed after the repeat proves the ledger has consumed past it.
    String later = f.click(link.getString("code"));
    assertEquals(200, f.postback("transaction_id=order-43&amount=10.00&click_id=" + later).statusCode());
    Http.poll(Duration.ofSeconds(30), r -> Http.json(r).getJsonObject("pagination").getLong("total_count") == 2,
        engine.apiUrl() + "/commissions", "X-Api-Key", f.ownerKey);

    JsonObject conversions = Http.json(f.ownerGet("/conversions?limit=100"));
    assertEquals(2, conversions.getJsonObject("pagination").getLong("total_count"));
    long order42 = conversions.getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(c -> "order-42".equals(c.getString("transaction_id"))).count();
    assertEquals(1, order42);
    JsonObject all = Http.json(f.ownerGet("/commissions?limit=100"));
    assertEquals(2, all.getJsonObject("pagination").getLong("total_count"));
  }
}
