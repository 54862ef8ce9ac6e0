package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.domain.Refunds.Cancel;
import io.tracklane.domain.Refunds.Held;
import io.tracklane.domain.Refunds.Reverse;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refund movements, currency conversion, lead rewards and the owner's allowed status moves. */
class MoneyMovementsTest {
  private static final Money SALE = Money.of(10_000, "EUR");

  @Test
  void fullRefundOfPendingCommissionVoidsIt() {
    var held = List.of(new Held(1, Money.of(1_500, "EUR"), CommissionStatus.PENDING, false));
    assertEquals(List.of(new Cancel(1)), Refunds.plan(held, SALE, Money.of(0, "EUR"), SALE));
  }

  @Test
  void partialRefundOfDueCommissionAddsNegativeEntryOfTheSameShare() {
    var held = List.of(new Held(1, Money.of(1_501, "EUR"), CommissionStatus.DUE, false));
    // 25% of 15.01 is 3.7525: half-even to the cent gives 3.75.
    assertEquals(List.of(new Reverse(1, "refund", Money.of(-375, "EUR"), CommissionStatus.DUE)),
        Refunds.plan(held, SALE, Money.of(0, "EUR"), Money.of(2_500, "EUR")));
  }

  @Test
  void refundAfterPayoutAddsClawbackDueForTheNextPayout() {
    var paid = List.of(new Held(1, Money.of(1_500, "EUR"), CommissionStatus.PAID, false));
    assertEquals(List.of(new Reverse(1, "clawback", Money.of(-1_500, "EUR"), CommissionStatus.DUE)),
        Refunds.plan(paid, SALE, Money.of(0, "EUR"), SALE));
    var gathered = List.of(new Held(2, Money.of(1_500, "EUR"), CommissionStatus.DUE, true));
    assertEquals(List.of(new Reverse(2, "clawback", Money.of(-500, "EUR"), CommissionStatus.DUE)),
        Refunds.plan(gathered, SALE, Money.of(0, "EUR"), Money.of(3_333, "EUR")));
  }

  @Test
  void refundOfVoidedCommissionMovesNothing() {
    var held = List.of(new Held(1, Money.of(1_500, "EUR"), CommissionStatus.VOIDED, false));
    assertTrue(Refunds.plan(held, SALE, Money.of(0, "EUR"), SALE).isEmpty());
  }

  @Test
  void conversionUsesTheRateAndRoundsHalfEvenAcrossMinorDigits() {
    assertEquals(Money.of(10_825, "USD"), new FxRate("EUR", "USD", new BigDecimal("1.0825")).convert(SALE));
    // 100.00 EUR at 162.345 JPY: 16234.5 yen rounds half-even to 16234.
    assertEquals(Money.of(16_234, "JPY"), new FxRate("EUR", "JPY", new BigDecimal("162.345")).convert(SALE));
    // 1000 JPY at 0.006125 EUR is 6.125 EUR: 6.12 half-even.
    assertEquals(Money.of(612, "EUR"), new FxRate("JPY", "EUR", new BigDecimal("0.006125"))
        .convert(Money.of(1_000, "JPY")));
    assertEquals(SALE, FxRate.identity("EUR").convert(SALE));
  }

  @Test
  void leadRewardIsFlatAndOptional() {
    RewardRule withLead = new RewardRule(RewardType.PERCENT, BigDecimal.TEN, 0, "EUR", 30, 0,
        RewardCadence.EVERY_PAYMENT, null, null, 250L);
    assertEquals(Money.of(250, "EUR"), withLead.leadCommission().orElseThrow());
    RewardRule without = new RewardRule(RewardType.AMOUNT, BigDecimal.ZERO, 900, "EUR", 30, 0,
        RewardCadence.EVERY_PAYMENT, null, null, null);
    assertTrue(without.leadCommission().isEmpty());
    assertEquals(Money.of(900, "EUR"), without.commissionFor(SALE));
  }

  @Test
  void ownerMovesFollowTheAllowedTransitionsOnly() {
    assertTrue(CommissionStatus.PENDING.ownerMayMove(CommissionStatus.DUE, false));
    assertTrue(CommissionStatus.PENDING.ownerMayMove(CommissionStatus.VOIDED, false));
    assertTrue(CommissionStatus.DUE.ownerMayMove(CommissionStatus.VOIDED, false));
    assertFalse(CommissionStatus.DUE.ownerMayMove(CommissionStatus.PENDING, false));
    assertFalse(CommissionStatus.DUE.ownerMayMove(CommissionStatus.VOIDED, true));
    assertTrue(CommissionStatus.DUE.ownerMayMove(CommissionStatus.PAID, false), "paid alone, as a payout of one");
    assertFalse(CommissionStatus.DUE.ownerMayMove(CommissionStatus.PAID, true), "its payout is marked paid instead");
    assertTrue(CommissionStatus.payableAlone(1));
    assertFalse(CommissionStatus.payableAlone(0));
    assertFalse(CommissionStatus.payableAlone(-750), "a refund share or clawback is netted, never paid out");
    assertFalse(CommissionStatus.PENDING.ownerMayMove(CommissionStatus.PAID, false));
    assertFalse(CommissionStatus.PAID.ownerMayMove(CommissionStatus.VOIDED, false));
    assertFalse(CommissionStatus.VOIDED.ownerMayMove(CommissionStatus.PENDING, false));
  }

  @Test
  void termsRejectDisabledCampaignAffiliateOrEnrolment() {
    assertTrue(Attribution.rejectTerms("active", "active", "active").isEmpty());
    assertEquals("campaign_disabled", Attribution.rejectTerms("disabled", "active", "active").orElseThrow());
    assertEquals("affiliate_disabled", Attribution.rejectTerms("active", "disabled", "active").orElseThrow());
    assertEquals("enrollment_inactive", Attribution.rejectTerms("active", "active", "pending").orElseThrow());
    assertEquals("email:jo@x.example", Attribution.customerKey(null, "Jo@X.example"));
    assertEquals("c-1", Attribution.customerKey("c-1", "jo@x.example"));
  }
}
