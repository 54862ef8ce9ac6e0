package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The schedules alone, no API call: pending becomes due, due becomes a payout. */
@Timeout(120)
class ScheduledPayoutsTest {

  @Test
  void theSchedulesMakeCommissionsDueAndGatherThemIntoAPayoutWithoutAnyoneAsking() {
    Map<String, String> fastJobs = Map.of("ledger.due_job_ms", "200", "ledger.payout_job_ms", "300");
    try (TestEngine engine = TestEngine.start(ScheduledPayoutsTest.class, fastJobs)) {
      Fixtures f = new Fixtures(engine, "EUR");
      JsonObject campaign = f.campaign(new JsonObject().put("commission_percent", 10).put("payout_delay_days", 0)
          .put("minimum_payout_cents", 250));
      String code = f.link(campaign.getString("id"),
          f.affiliate(campaign.getString("id"), "scheduled@partner.example").getString("id")).getString("code");

      assertEquals(200, f.postback("transaction_id=s-1&amount=20.00&click_id=" + f.click(code)).statusCode());
      Http.poll(Duration.ofSeconds(30), r -> Http.json(r).getJsonArray("data").size() == 1
          && "due".equals(Http.json(r).getJsonArray("data").getJsonObject(0).getString("status")),
          engine.apiUrl() + "/commissions", "X-Api-Key", f.ownerKey);
      Http.sleep(1000);
      assertEquals(0, Http.json(f.ownerGet("/payouts")).getJsonObject("pagination").getLong("total_count"),
          "2.00 EUR is below the 2.50 EUR minimum: no payout yet");

      assertEquals(200, f.postback("transaction_id=s-2&amount=5.00&click_id=" + f.click(code)).statusCode());
      HttpResponse<String> payouts = Http.poll(Duration.ofSeconds(30),
          r -> Http.json(r).getJsonObject("pagination").getLong("total_count") == 1,
          engine.apiUrl() + "/payouts", "X-Api-Key", f.ownerKey);
      JsonObject payout = Http.json(payouts).getJsonArray("data").getJsonObject(0);
      assertEquals(250L, payout.getLong("amount_cents"));
      assertEquals("EUR", payout.getString("currency"));
      assertEquals(2, payout.getInteger("commission_count"));
    }
  }
}
