package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.LedgerEngine;
import io.tracklane.testing.Http;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several refunds per sale, refunds without an amount, one rounding, and status changes carried to reversals. */
@Timeout(120)
class RefundsTest {
  @RegisterExtension
  static final LedgerEngine LEDGER = new LedgerEngine();
  private static final Duration WAIT = LedgerEngine.WAIT;

  @Test
  void severalPartialRefundsEachApplyARetryAppliesOnceAndARefundBeyondTheSaleIsRejected() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("payout_delay_days", 0), "r@p.example");
    accepted(f.postback("transaction_id=o1&amount=100.00&click_id=" + f.click(code)));
    awaitLive(f, 1500);
    accepted(f.postback("event=refund&transaction_id=o1&amount=30.00&customer_id=x"));
    awaitLive(f, 1500 - 450);
    assertEquals("duplicate", Http.json(f.postback("event=refund&transaction_id=o1&amount=30&customer_id=x"))
        .getString("status"), "the same refund retried");
    accepted(f.postback("event=refund&transaction_id=o1&amount=70.00&customer_id=x"));
    awaitLive(f, 0);
    assertEquals(List.of("voided", "voided"), statuses(f), "fully refunded: the commission and its refund entry");

    accepted(f.postback("event=refund&transaction_id=o1&amount=0.01&customer_id=x"));
    awaitRejected(f, "over_refund");
    assertEquals(2, LEDGER.facts().scalar("SELECT count(*) FROM conversions WHERE program_id = $1 AND kind = 'refund'"
        + " AND status = 'credited'", f.programId));
  }

  @Test
  void refundsNamedByIdApplyEachAndARefundWithoutAmountRefundsWhatRemains() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("payout_delay_days", 0)
        .put("commission_percent", 10), "rest@p.example");
    accepted(f.postback("transaction_id=o2&amount=50.00&click_id=" + f.click(code)));
    awaitLive(f, 500);
    accepted(f.postback("event=refund&transaction_id=o2&refund_id=a&amount=10.00&customer_id=x"));
    accepted(f.postback("event=refund&transaction_id=o2&refund_id=b&amount=10.00&customer_id=x"));
    awaitLive(f, 300);
    accepted(f.postback("event=refund&transaction_id=o2&customer_id=x"));
    awaitLive(f, 0);
    assertEquals(3000L, LEDGER.facts().scalar("SELECT amount_minor FROM conversions WHERE program_id = $1 AND kind = 'refund'"
        + " AND refund_key = 'rest'", f.programId), "the rest: 50.00 - 2 x 10.00");
  }

  @Test
  void refundsAndConversionsRoundOnceFromTheExactAmount() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("payout_delay_days", 0)
        .put("commission_percent", 2.5), "round@p.example");
    accepted(f.postback("transaction_id=o3&amount=6.00&click_id=" + f.click(code)));
    awaitLive(f, 15);
    accepted(f.postback("event=refund&transaction_id=o3&amount=1.00&customer_id=x"));
    // 15 x 1.00 / 6.00 = 2.5 exactly: half-even 2 (a rounded share of 16.67% gave 3).
    awaitLive(f, 13);

    Fixtures g = new Fixtures(LEDGER.engine(), "EUR");
    String fx = PayoutsAndRefundsTest.linkCode(g, new JsonObject().put("payout_delay_days", 0), "fx@p.example");
    assertEquals(200, Http.put(LEDGER.engine().apiUrl() + "/fx_rates/USD/EUR", "application/json", "{\"rate\":\"0.9\"}",
        "X-Api-Key", g.ownerKey).statusCode());
    accepted(g.postback("transaction_id=o4&amount=123.45&currency=USD&click_id=" + g.click(fx)));
    // 123.45 USD x 0.9 x 15% = 16.66575 EUR: 16.67 (converting first to 111.10 EUR gave 16.66).
    awaitLive(g, 1667);
  }

  @Test
  void twoRefundsThatCameBeforeTheirSaleEachApplyOnceItIsCredited() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("payout_delay_days", 0), "early@p.example");
    // As the property test sends them: facts straight onto the topic, with the ids the edge would give.
    for (String refund : List.of("a:3000", "b:1000")) {
      String[] idAndAmount = refund.split(":");
      LEDGER.facts().send(Facts.postback(f.programId, Instant.now(), new JsonObject().put("event", "refund")
          .put("transaction_id", "o7").put("refund_id", idAndAmount[0])
          .put("amount_minor", Long.parseLong(idAndAmount[1])).put("currency", "EUR").put("customer_id", "x")));
    }
    LEDGER.facts().awaitScalar(2, WAIT, "SELECT count(*) FROM rejected_events WHERE program_id = $1"
        + " AND reason = 'unknown_sale'", f.programId);
    accepted(f.postback("transaction_id=o7&amount=100.00&click_id=" + f.click(code)));
    // 15.00 less 30% and 10%: both waiting refunds apply, each once.
    awaitLive(f, 1500 - 450 - 150);
  }

  @Test
  void aStatusChangeOfACommissionCarriesToItsRefundEntries() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("payout_delay_days", 30), "void@p.example");
    accepted(f.postback("transaction_id=o5&amount=100.00&click_id=" + f.click(code)));
    accepted(f.postback("transaction_id=o6&amount=100.00&click_id=" + f.click(code)));
    awaitLive(f, 3000);
    accepted(f.postback("event=refund&transaction_id=o5&amount=30.00&customer_id=x"));
    accepted(f.postback("event=refund&transaction_id=o6&amount=30.00&customer_id=x"));
    awaitLive(f, 3000 - 900);
    long o5 = commissionOf(f, "o5");
    long o6 = commissionOf(f, "o6");

    assertEquals(200, setStatus(f, o5, "voided").statusCode());
    assertEquals("voided", LEDGER.facts().sql("SELECT status FROM commissions WHERE reverses_id = $1", o5).get(0)
        .getString("status"), "the refund entry of a voided commission must not stay live");
    assertEquals(200, setStatus(f, o6, "due").statusCode());
    assertEquals("due", LEDGER.facts().sql("SELECT status FROM commissions WHERE reverses_id = $1", o6).get(0)
        .getString("status"), "approved early: its refund entry is due with it");
    HttpResponse<String> run = Http.post(LEDGER.engine().apiUrl() + "/payouts/run", "application/json", "{}",
        "X-Api-Key", f.ownerKey);
    String payout = Http.json(run).getJsonArray("payout_ids").getString(0);
    assertEquals(1500L - 450L, Http.json(f.ownerGet("/payouts/" + payout)).getLong("amount_cents"));
  }

  static void accepted(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("accepted", Http.json(r).getString("status"), r.body());
  }

  private static void awaitLive(Fixtures f, long total) {
    LEDGER.facts().awaitScalar(total, WAIT, "SELECT coalesce(sum(amount_minor), 0) FROM commissions WHERE program_id = $1"
        + " AND status <> 'voided'", f.programId);
  }

  private static void awaitRejected(Fixtures f, String reason) {
    LEDGER.facts().awaitScalar(1, WAIT, "SELECT count(*) FROM rejected_events WHERE program_id = $1 AND reason = $2",
        f.programId, reason);
  }

  private static List<String> statuses(Fixtures f) {
    return LEDGER.facts().sql("SELECT status FROM commissions WHERE program_id = $1 ORDER BY id", f.programId).stream()
        .map(r -> r.getString("status")).toList();
  }

  private static long commissionOf(Fixtures f, String transaction) {
    return LEDGER.facts().scalar("SELECT m.id FROM commissions m JOIN conversions v ON v.id = m.conversion_id"
        + " WHERE m.program_id = $1 AND v.transaction_id = $2 AND m.kind = 'sale'", f.programId, transaction);
  }

  private static HttpResponse<String> setStatus(Fixtures f, long id, String status) {
    return Http.put(LEDGER.engine().apiUrl() + "/commissions/" + id, "application/json",
        new JsonObject().put("status", status).encode(), "X-Api-Key", f.ownerKey);
  }
}
