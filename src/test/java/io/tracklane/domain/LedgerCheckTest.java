package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** verify-ledger's rules, and how a postback's amount finds its currency. */
class LedgerCheckTest {
  private static Money eur(long minor) {
    return Money.of(minor, "EUR");
  }

  @Test
  void reversalsMustBeTheExactShareOfWhatWasRefundedOrAllOfItOnceFullyRefunded() {
    assertTrue(LedgerCheck.reversals(1, eur(15), false, eur(600), eur(100), eur(-2)).isEmpty());
    assertTrue(LedgerCheck.reversals(1, eur(15), false, eur(600), eur(100), eur(-3)).isPresent());
    // Fully refunded: voided (its refund entries voided with it) or clawed back in full.
    assertTrue(LedgerCheck.reversals(1, eur(15), true, eur(600), eur(600), eur(0)).isEmpty());
    assertTrue(LedgerCheck.reversals(1, eur(15), false, eur(600), eur(600), eur(-15)).isEmpty());
    assertTrue(LedgerCheck.reversals(1, eur(15), true, eur(600), eur(600), eur(-2)).isPresent());
    // Voided by the owner after a partial refund: nothing to recompute.
    assertTrue(LedgerCheck.reversals(1, eur(15), true, eur(600), eur(100), eur(0)).isEmpty());
  }

  @Test
  void aPayoutIsTheSumOfWhatItGatheredAndNeverBelowTheMinimum() {
    assertTrue(LedgerCheck.payout(7, eur(300), 2, List.of(eur(400), eur(-100)), 300).isEmpty());
    assertTrue(LedgerCheck.payout(7, eur(301), 2, List.of(eur(400), eur(-100)), 300).isPresent());
    assertTrue(LedgerCheck.payout(7, eur(300), 2, List.of(eur(400), eur(-100)), 301).isPresent());
    assertTrue(LedgerCheck.payout(7, eur(0), 0, List.of(), 0).isPresent(), "a payout of 0");
    assertTrue(LedgerCheck.payout(7, eur(1500), 1, List.of(eur(1500)), 0).isEmpty(), "paid alone: no minimum");
    assertTrue(LedgerCheck.payout(7, eur(-100), 1, List.of(eur(-100)), 0).isPresent(), "never a negative payout");
  }

  @Test
  void anAmountWithoutCurrencyIsReadInTheCurrencyTheLedgerDecides() {
    PostedAmount bare = new PostedAmount(null, "5000", null);
    assertEquals(Money.of(5000, "JPY"), bare.in("JPY"));
    assertEquals(Money.of(500000, "EUR"), bare.in("EUR"));
    assertThrows(InvalidInput.class, () -> new PostedAmount(null, "10.5", null).in("JPY"));
    assertEquals(Money.of(1234, "BHD"), new PostedAmount(1234L, "1.234", "BHD").in("EUR"), "a named currency wins");
    assertEquals(new BigDecimal("1.234"), new PostedAmount(1234L, null, "BHD").major());
    assertTrue(!new PostedAmount(null, null, "EUR").given());
  }

  @Test
  void onlyClientConversionsUnderAHoldingCampaignAreHeld() {
    assertTrue(Trust.CLIENT.held(true));
    assertTrue(!Trust.CLIENT.held(false));
    assertTrue(!Trust.SERVER.held(true));
    assertEquals(Trust.SERVER, Trust.fromWire(null));
  }
}
