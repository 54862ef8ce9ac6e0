package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Campaign terms the ledger relies on: a fixed currency once money exists, its default, its cadence. */
@Timeout(120)
class CampaignRulesTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  private static TestEngine engine;
  private static Facts facts;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(CampaignRulesTest.class, Map.of("ledger.due_job_ms", "200",
        "ledger.payout_job_ms", "0"));
    facts = new Facts(engine);
  }

  @AfterAll
  static void stop() {
    facts.close();
    engine.close();
  }

  @Test
  void campaignCurrencyCannotChangeOnceACommissionWasRecorded() {
    Fixtures f = new Fixtures(engine, "EUR");
    JsonObject campaign = f.campaign(new JsonObject());
    String id = campaign.getString("id");
    assertEquals(200, updateCampaign(f, id, "USD").statusCode(), "nothing recorded yet: free to change");
    assertEquals(200, updateCampaign(f, id, "EUR").statusCode());
    String code = f.link(id, f.affiliate(id, "fixed@partner.example").getString("id")).getString("code");
    assertEquals(200, f.postback("transaction_id=cur-1&amount=10.00&click_id=" + f.click(code)).statusCode());
    facts.awaitScalar(1, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1", f.programId);

    HttpResponse<String> refused = updateCampaign(f, id, "JPY");
    assertEquals(409, refused.statusCode(), refused.body());
    assertEquals("EUR", Http.json(f.ownerGet("/campaigns/" + id)).getString("currency"));
    assertEquals(200, updateCampaign(f, id, "EUR").statusCode(), "the same currency is no change");
  }

  private static HttpResponse<String> updateCampaign(Fixtures f, String id, String currency) {
    return Http.put(engine.apiUrl() + "/campaigns/" + id, "application/json",
        new JsonObject().put("currency", currency).encode(), "X-Api-Key", f.ownerKey);
  }
}
