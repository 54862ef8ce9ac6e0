package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.LedgerEngine;
import io.tracklane.testing.TestEngine;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A refund that commits while a payout run is deciding must never leave a payout below the minimum. */
@Timeout(120)
class PayoutRaceTest {
  @RegisterExtension
  static final LedgerEngine LEDGER = new LedgerEngine();
  private static final Duration WAIT = LedgerEngine.WAIT;

  @Test
  void aRefundVoidingACommissionDuringThePayoutRunLeavesNoPayoutBelowTheMinimum() throws Exception {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("payout_delay_days", 0)
        .put("minimum_payout_cents", 1000), "race@partner.example");
    f.postback("transaction_id=R1&amount=100.00&click_id=" + f.click(code));
    LEDGER.facts().awaitScalar(1, Duration.ofSeconds(30),
        "SELECT count(*) FROM commissions WHERE program_id = $1 AND status = 'due'", f.programId);
    long commission = LEDGER.facts().scalar("SELECT id FROM commissions WHERE program_id = $1", f.programId);

    var pg = LEDGER.engine().config().postgres();
    try (Connection refund = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
         Statement st = refund.createStatement()) {
      refund.setAutoCommit(false);
      // A refund in flight: it holds the commission's row lock, as RefundPosting does.
      st.execute("SELECT 1 FROM " + pg.schema() + ".commissions WHERE id = " + commission + " FOR UPDATE");
      Future<List<Long>> run = new Payouts(LEDGER.engine().engine().pool(), Clock.systemUTC()).run((long) f.programId);
      Thread.sleep(1000);
      st.execute("UPDATE " + pg.schema() + ".commissions SET status = 'voided' WHERE id = " + commission);
      refund.commit();
      TestEngine.await(run);
    }
    long below = LEDGER.facts().scalar("SELECT count(*) FROM payouts WHERE program_id = $1 AND amount_minor < 1000",
        f.programId);
    assertEquals(0, below, "no payout below the minimum (or of 0)");
    assertTrue(LEDGER.facts().scalar("SELECT count(*) FROM commissions WHERE program_id = $1 AND payout_id IS NOT NULL",
        f.programId) == 0);
  }
}
