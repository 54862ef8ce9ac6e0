package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.domain.Refunds.Cancel;
import io.tracklane.domain.Refunds.Held;
import io.tracklane.domain.Refunds.Reverse;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Several refunds of one sale, each rounded once from the exact share; FX and percent rounded once. */
class RefundRulesTest {
  private static Money eur(long minor) {
    return Money.of(minor, "EUR");
  }

  @Test
  void aPartialRefundReversesTheExactShareRoundedOnce() {
    var held = List.of(new Held(1, eur(15), CommissionStatus.DUE, false));
    // 15 x 100 / 600 is exactly 2.5: half-even gives 2 (a share of 16.67% first would give 3).
    assertEquals(List.of(new Reverse(1, "refund", eur(-2), CommissionStatus.DUE)),
        Refunds.plan(held, eur(600), eur(0), eur(100)));
  }

  @Test
  void severalPartialRefundsEachApplyAndTogetherReverseTheWholeCommission() {
    var held = List.of(new Held(1, eur(1_500), CommissionStatus.DUE, false));
    Money sale = eur(10_000);
    assertEquals(List.of(new Reverse(1, "refund", eur(-450), CommissionStatus.DUE)),
        Refunds.plan(held, sale, eur(0), eur(3_000)));
    // The last refund makes the sale fully refunded: the commission is voided (its refund entries with it).
    assertEquals(List.of(new Cancel(1)), Refunds.plan(held, sale, eur(3_000), eur(7_000)));
    // Thirds: the cumulative share is rounded, so the three entries add up to the commission exactly.
    var paid = List.of(new Held(2, eur(100), CommissionStatus.PAID, false));
    long total = 0;
    long before = 0;
    for (long part : new long[] {3_333, 3_333, 3_334}) {
      total += ((Reverse) Refunds.plan(paid, sale, eur(before), eur(part)).get(0)).amount().minor();
      before += part;
    }
    assertEquals(-100, total);
  }

  @Test
  void aRefundBeyondWhatRemainsIsRejectedAndNoAmountMeansTheRest() {
    Money sale = eur(10_000);
    assertEquals(Optional.of("over_refund"), Refunds.reject(sale, eur(3_000), eur(7_001)));
    assertTrue(Refunds.reject(sale, eur(3_000), eur(7_000)).isEmpty());
    assertEquals(eur(7_000), Refunds.rest(sale, eur(3_000)));
    assertEquals(Optional.of("over_refund"), Refunds.reject(sale, sale, Refunds.rest(sale, sale)));
  }

  @Test
  void aRefundIsIdentifiedByItsIdElseByItsAmountElseAsTheRest() {
    assertEquals("id:r-2", Refunds.identity("r-2", new BigDecimal("30.00")));
    assertEquals("amount:30", Refunds.identity(null, new BigDecimal("30.00")));
    assertEquals(Refunds.identity(null, new BigDecimal("30")), Refunds.identity(null, new BigDecimal("30.0")));
    assertEquals("amount:5000", Refunds.identity(null, new BigDecimal("5000")));
    assertEquals("rest", Refunds.identity(null, null));
  }

  @Test
  void conversionThenPercentIsRoundedOnce() {
    RewardRule rule = new RewardRule(RewardType.PERCENT, new BigDecimal("15"), 0, "EUR", 30, 0,
        RewardCadence.EVERY_PAYMENT, null, null, null);
    FxRate usdEur = new FxRate("USD", "EUR", new BigDecimal("0.9"));
    // 123.45 USD x 0.9 x 15% = 16.66575 EUR: 16.67. Converting first (111.10) then 15% gives 16.66.
    assertEquals(eur(1_667), rule.saleCommission(Money.of(12_345, "USD"), usdEur, RewardRule.CustomerHistory.NEW,
        Instant.EPOCH, ZoneOffset.UTC).orElseThrow());
    assertEquals(eur(1_667), rule.commissionFor(Money.of(12_345, "USD"), usdEur));
  }
}
