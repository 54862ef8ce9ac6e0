package io.tracklane.ledger;

import static io.tracklane.ledger.RefundsTest.accepted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.cli.Cli;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** verify-ledger recomputes a real ledger with the domain's rules: silent on a true one, loud on a tampered one. */
@Timeout(120)
class VerifyLedgerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestEngine engine;
  private static Facts facts;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(VerifyLedgerTest.class, Map.of("ledger.due_job_ms", "200", "ledger.payout_job_ms", "0"));
    facts = new Facts(engine);
  }

  @AfterAll
  static void stop() {
    facts.close();
    engine.close();
  }

  @Test
  void aTrueLedgerVerifiesAndATamperedRowIsReportedWithExit1() {
    Fixtures f = new Fixtures(engine, "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("payout_delay_days", 0)
        .put("commission_percent", 12.5).put("lead_reward_cents", 200).put("minimum_payout_cents", 100),
        "verify@partner.example");
    assertEquals(200, Http.put(engine.apiUrl() + "/fx_rates/USD/EUR", "application/json", "{\"rate\":\"0.9\"}",
        "X-Api-Key", f.ownerKey).statusCode());
    accepted(f.postback("event=lead&transaction_id=l-1&customer_id=v1&click_id=" + f.click(code)));
    accepted(f.postback("transaction_id=v-1&amount=123.45&currency=USD&customer_id=v1"));
    accepted(f.postback("transaction_id=v-2&amount=6.00&click_id=" + f.click(code)));
    accepted(f.postback("transaction_id=v-3&amount=50.00&customer_id=v1"));
    facts.awaitScalar(4, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1", f.programId);
    accepted(f.postback("event=refund&transaction_id=v-2&amount=1.00&customer_id=x"));
    accepted(f.postback("event=refund&transaction_id=v-3&customer_id=x"));
    facts.awaitScalar(2, WAIT, "SELECT count(*) FROM conversions WHERE program_id = $1 AND kind = 'refund'",
        f.programId);
    facts.awaitScalar(0, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1 AND status = 'pending'",
        f.programId);
    assertEquals(200, Http.post(engine.apiUrl() + "/payouts/run", "application/json", "{}", "X-Api-Key",
        f.ownerKey).statusCode());
    assertEquals(1, facts.scalar("SELECT count(*) FROM payouts WHERE program_id = $1", f.programId));

    Result clean = verify(f.programId);
    assertEquals(0, clean.exit(), clean.output());
    assertTrue(clean.output().contains("no difference"), clean.output());

    long sale = facts.scalar("SELECT m.id FROM commissions m JOIN conversions v ON v.id = m.conversion_id"
        + " WHERE v.program_id = $1 AND v.transaction_id = 'v-1' AND m.kind = 'sale'", f.programId);
    long payout = facts.scalar("SELECT id FROM payouts WHERE program_id = $1", f.programId);
    facts.sql("UPDATE commissions SET amount_minor = amount_minor + 1 WHERE id = $1", sale);
    facts.sql("UPDATE payouts SET amount_minor = amount_minor + 5 WHERE id = $1", payout);
    try {
      Result tampered = verify(f.programId);
      assertEquals(1, tampered.exit(), tampered.output());
      assertTrue(tampered.output().contains("commission " + sale + ": recorded 13.90 EUR, the rule gives 13.89 EUR"),
          tampered.output());
      assertTrue(tampered.output().contains("payout " + payout + ": recorded"), tampered.output());
    } finally {
      // The schema stays true for the run's own verify-ledger (CI checks every schema a test leaves).
      facts.sql("UPDATE commissions SET amount_minor = amount_minor - 1 WHERE id = $1", sale);
      facts.sql("UPDATE payouts SET amount_minor = amount_minor - 5 WHERE id = $1", payout);
    }
    assertEquals(0, verify(null).exit(), "every program of the schema");
  }

  private record Result(int exit, String output) {
  }

  private static Result verify(Long programId) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String[] args = programId == null ? new String[] {"verify-ledger"}
        : new String[] {"verify-ledger", "--program", programId.toString()};
    int exit = Cli.verifyLedger(engine.config(), args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return new Result(exit, bytes.toString(StandardCharsets.UTF_8));
  }
}
