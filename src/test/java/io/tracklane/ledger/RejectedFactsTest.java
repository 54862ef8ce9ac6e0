package io.tracklane.ledger;

import static io.tracklane.ledger.RefundsTest.accepted;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.LedgerEngine;
import io.tracklane.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A rejected fact does not burn its transaction id: resent, waited for, or retried, it is reprocessed. */
@Timeout(120)
class RejectedFactsTest {
  @RegisterExtension
  static final LedgerEngine LEDGER = new LedgerEngine();
  private static final Duration WAIT = LedgerEngine.WAIT;

  @Test
  void aSaleRejectedForAMissingRateIsCreditedWhenResentAfterTheRateIsAdded() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject(), "resend@partner.example");
    String sale = "transaction_id=usd-1&amount=100.00&currency=USD&click_id=" + f.click(code);
    accepted(f.postback(sale));
    awaitReason(f, "usd-1", "no_fx_rate:USD->EUR");
    setRate(f, "USD", "0.9");

    accepted(f.postback(sale));
    LEDGER.facts().awaitScalar(1350, WAIT, "SELECT coalesce(sum(amount_minor), 0) FROM commissions WHERE program_id = $1",
        f.programId);
    LEDGER.facts().awaitScalar(1, WAIT, "SELECT count(*) FROM rejected_events WHERE program_id = $1"
        + " AND transaction_id = 'usd-1' AND resolved_at IS NOT NULL", f.programId);
    assertEquals("credited", Http.json(f.ownerGet("/conversions?status=credited")).getJsonArray("data")
        .getJsonObject(0).getString("status"));
  }

  @Test
  void aRefundBeforeItsSaleWaitsAndAppliesWhenTheSaleComes() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject(), "early@partner.example");
    accepted(f.postback("event=refund&transaction_id=e-1&amount=30.00&customer_id=x"));
    awaitReason(f, "e-1", "unknown_sale");

    accepted(f.postback("transaction_id=e-1&amount=100.00&click_id=" + f.click(code)));
    LEDGER.facts().awaitScalar(1500 - 450, WAIT, "SELECT coalesce(sum(amount_minor), 0) FROM commissions"
        + " WHERE program_id = $1 AND status <> 'voided'", f.programId);
    assertEquals(1, LEDGER.facts().scalar("SELECT count(*) FROM conversions WHERE program_id = $1 AND kind = 'refund'"
        + " AND status = 'credited'", f.programId));
  }

  @Test
  void rejectedFactsAreReplayedOneByIdOrManyByFilter() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject(), "retry@partner.example");
    accepted(f.postback("transaction_id=gbp-1&amount=10.00&currency=GBP&click_id=" + f.click(code)));
    accepted(f.postback("transaction_id=chf-1&amount=10.00&currency=CHF&click_id=" + f.click(code)));
    accepted(f.postback("transaction_id=chf-2&amount=20.00&currency=CHF&click_id=" + f.click(code)));
    accepted(f.postback("transaction_id=chf-3&amount=30.00&currency=CHF&click_id=" + f.click(code)));
    awaitReason(f, "chf-3", "no_fx_rate:CHF->EUR");
    String gbp = rejectedId(f, "gbp-1");

    assertEquals(404, retry(f, "/rejected_events/999999999/retry", "{}").statusCode());
    assertEquals(400, retry(f, "/rejected_events/retry", "{}").statusCode());
    setRate(f, "GBP", "1.2");
    HttpResponse<String> one = retry(f, "/rejected_events/" + gbp + "/retry", "{}");
    assertEquals(202, one.statusCode(), one.body());
    LEDGER.facts().awaitScalar(180, WAIT, "SELECT coalesce(sum(amount_minor), 0) FROM commissions WHERE program_id = $1",
        f.programId);
    LEDGER.facts().awaitScalar(1, WAIT, "SELECT count(*) FROM rejected_events WHERE program_id = $1 AND resolved_at"
        + " IS NOT NULL", f.programId);
    assertEquals(409, retry(f, "/rejected_events/" + gbp + "/retry", "{}").statusCode(), "credited since");

    setRate(f, "CHF", "1");
    String chf1 = rejectedId(f, "chf-1");
    HttpResponse<String> byId = retry(f, "/rejected_events/retry", new JsonObject()
        .put("ids", new JsonArray().add(chf1)).encode());
    assertEquals(1, Http.json(byId).getInteger("queued"), byId.body());
    LEDGER.facts().awaitScalar(180 + 150, WAIT, "SELECT coalesce(sum(amount_minor), 0) FROM commissions"
        + " WHERE program_id = $1", f.programId);
    HttpResponse<String> byReason = retry(f, "/rejected_events/retry", new JsonObject()
        .put("reason", "no_fx_rate:CHF->EUR").encode());
    assertEquals(202, byReason.statusCode(), byReason.body());
    assertEquals(2, Http.json(byReason).getInteger("queued"), byReason.body());
    LEDGER.facts().awaitScalar(180 + 150 + 300 + 450, WAIT, "SELECT coalesce(sum(amount_minor), 0) FROM commissions"
        + " WHERE program_id = $1", f.programId);

    String credited = "transaction_id=eur-1&amount=10.00&click_id=" + f.click(code);
    accepted(f.postback(credited));
    LEDGER.facts().awaitScalar(1, WAIT, "SELECT count(*) FROM conversions WHERE program_id = $1 AND transaction_id = 'eur-1'",
        f.programId);
    assertEquals("duplicate", Http.json(f.postback(credited)).getString("status"));
    LEDGER.facts().awaitScalar(1, WAIT, "SELECT count(*) FROM rejected_events WHERE program_id = $1 AND reason = 'duplicate'",
        f.programId);
    String duplicate = LEDGER.facts().sql("SELECT id FROM rejected_events WHERE program_id = $1 AND reason = 'duplicate'",
        f.programId).get(0).getLong("id").toString();
    assertEquals(409, retry(f, "/rejected_events/" + duplicate + "/retry", "{}").statusCode());
  }

  private static void awaitReason(Fixtures f, String transaction, String reason) {
    LEDGER.facts().awaitScalar(1, WAIT, "SELECT count(*) FROM rejected_events WHERE program_id = $1 AND transaction_id = $2"
        + " AND reason = $3 AND resolved_at IS NULL", f.programId, transaction, reason);
  }

  private static String rejectedId(Fixtures f, String transaction) {
    return LEDGER.facts().sql("SELECT id FROM rejected_events WHERE program_id = $1 AND transaction_id = $2", f.programId,
        transaction).get(0).getLong("id").toString();
  }

  private static void setRate(Fixtures f, String base, String rate) {
    HttpResponse<String> r = Http.put(LEDGER.engine().apiUrl() + "/fx_rates/" + base + "/EUR", "application/json",
        new JsonObject().put("rate", rate).encode(), "X-Api-Key", f.ownerKey);
    assertEquals(200, r.statusCode(), r.body());
  }

  private static HttpResponse<String> retry(Fixtures f, String path, String body) {
    return Http.post(LEDGER.engine().apiUrl() + path, "application/json", body, "X-Api-Key", f.ownerKey);
  }
}
