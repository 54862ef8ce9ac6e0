package io.tracklane.ledger;

import static io.tracklane.ledger.RefundsTest.accepted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.cli.Cli;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.LedgerEngine;
import io.tracklane.testing.Http;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** verify-ledger recomputes a real ledger with the domain's rules: silent on a true one, loud on a tampered one. */
@Timeout(120)
class VerifyLedgerTest {
  @RegisterExtension
  static final LedgerEngine LEDGER = new LedgerEngine();
  private static final Duration WAIT = LedgerEngine.WAIT;

  @Test
  void aTrueLedgerVerifiesAndATamperedRowIsReportedWithExit1() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("payout_delay_days", 0)
        .put("commission_percent", 12.5).put("lead_reward_cents", 200).put("minimum_payout_cents", 100),
        "verify@partner.example");
    assertEquals(200, Http.put(LEDGER.engine().apiUrl() + "/fx_rates/USD/EUR", "application/json", "{\"rate\":\"0.9\"}",
        "X-Api-Key", f.ownerKey).statusCode());
    accepted(f.postback("event=lead&transaction_id=l-1&customer_id=v1&click_id=" + f.click(code)));
    accepted(f.postback("transaction_id=v-1&amount=123.45&currency=USD&customer_id=v1"));
    accepted(f.postback("transaction_id=v-2&amount=6.00&click_id=" + f.click(code)));
    accepted(f.postback("transaction_id=v-3&amount=50.00&customer_id=v1"));
    LEDGER.facts().awaitScalar(4, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1", f.programId);
    accepted(f.postback("event=refund&transaction_id=v-2&amount=1.00&customer_id=x"));
    accepted(f.postback("event=refund&transaction_id=v-3&customer_id=x"));
    LEDGER.facts().awaitScalar(2, WAIT, "SELECT count(*) FROM conversions WHERE program_id = $1 AND kind = 'refund'",
        f.programId);
    LEDGER.facts().awaitScalar(0, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1 AND status = 'pending'",
        f.programId);
    assertEquals(200, Http.post(LEDGER.engine().apiUrl() + "/payouts/run", "application/json", "{}", "X-Api-Key",
        f.ownerKey).statusCode());
    assertEquals(1, LEDGER.facts().scalar("SELECT count(*) FROM payouts WHERE program_id = $1", f.programId));

    Result clean = verify(f.programId);
    assertEquals(0, clean.exit(), clean.output());
    assertTrue(clean.output().contains("no difference"), clean.output());

    long sale = LEDGER.facts().scalar("SELECT m.id FROM commissions m JOIN conversions v ON v.id = m.conversion_id"
        + " WHERE v.program_id = $1 AND v.transaction_id = 'v-1' AND m.kind = 'sale'", f.programId);
    long payout = LEDGER.facts().scalar("SELECT id FROM payouts WHERE program_id = $1", f.programId);
    LEDGER.facts().sql("UPDATE commissions SET amount_minor = amount_minor + 1 WHERE id = $1", sale);
    LEDGER.facts().sql("UPDATE payouts SET amount_minor = amount_minor + 5 WHERE id = $1", payout);
    try {
      Result tampered = verify(f.programId);
      assertEquals(1, tampered.exit(), tampered.output());
      assertTrue(tampered.output().contains("commission " + sale + ": recorded 13.90 EUR, the rule gives 13.89 EUR"),
          tampered.output());
      assertTrue(tampered.output().contains("payout " + payout + ": recorded"), tampered.output());
    } finally {
      // The schema stays true for the run's own verify-ledger (CI checks every schema a test leaves).
      LEDGER.facts().sql("UPDATE commissions SET amount_minor = amount_minor - 1 WHERE id = $1", sale);
      LEDGER.facts().sql("UPDATE payouts SET amount_minor = amount_minor - 5 WHERE id = $1", payout);
    }
    assertEquals(0, verify(null).exit(), "every program of the schema");
  }

  private record Result(int exit, String output) {
  }

  private static Result verify(Long programId) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String[] args = programId == null ? new String[] {"verify-ledger"}
        : new String[] {"verify-ledger", "--program", programId.toString()};
    int exit = Cli.verifyLedger(LEDGER.engine().config(), args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return new Result(exit, bytes.toString(StandardCharsets.UTF_8));
  }
}
