package io.tracklane.domain;

import java.util.List;
import java.util.Optional;

/**
 * The ledger's rules run backwards: given what is stored, what each stored figure must be. Used by
 * {@code verify-ledger}; each check answers a description of the difference, or empty when the stored
 * figure is what the rules give.
 */
public final class LedgerCheck {
  private LedgerCheck() {
  }

  /**
   * A sale's commission: the rule applied to the stored sale at the stored rate, rounded once.
   *
   * @param rate the rate kept on the commission, identity when the sale was in the campaign's currency
   */
  public static Optional<String> saleCommission(long commissionId, Money sale, FxRate rate, RewardRule rule,
      Money recorded) {
    Money expected = rule.commissionFor(sale, rate);
    return expected.equals(recorded) ? Optional.empty() : Optional.of("commission " + commissionId + ": recorded "
        + recorded.toDecimalString() + " " + recorded.currency() + ", the rule gives " + expected.toDecimalString()
        + " " + expected.currency() + " for a sale of " + sale.toDecimalString() + " " + sale.currency());
  }

  /** A lead's commission: the campaign's flat lead reward. */
  public static Optional<String> leadCommission(long commissionId, RewardRule rule, Money recorded) {
    Optional<Money> expected = rule.leadCommission();
    return expected.isPresent() && expected.get().equals(recorded) ? Optional.empty()
        : Optional.of("commission " + commissionId + ": lead reward recorded " + recorded.toDecimalString()
            + ", the campaign pays " + expected.map(Money::toDecimalString).orElse("none"));
  }

  /**
   * What the refunds of a sale reversed of one of its commissions: the exact share of everything
   * refunded, rounded once, or all of it once the sale is fully refunded (voided, or clawed back).
   *
   * @param voided whether the commission itself is voided
   * @param reversed the sum of its live (not voided) refund and clawback entries, negative
   */
  public static Optional<String> reversals(long commissionId, Money commission, boolean voided, Money sale,
      Money refunded, Money reversed) {
    boolean full = refunded.minor() >= sale.minor();
    if (voided && !full) {
      // Voided by the owner, not by refunds: its entries were voided with it; nothing to recompute.
      return Optional.empty();
    }
    Money expected = full ? commission : commission.share(refunded.minor(), sale.minor());
    Money actual = (voided ? commission : Money.of(0, commission.currency())).minus(reversed);
    return expected.equals(actual) ? Optional.empty() : Optional.of("commission " + commissionId + ": refunds of "
        + refunded.toDecimalString() + " of " + sale.toDecimalString() + " reverse " + actual.toDecimalString()
        + ", the rules give " + expected.toDecimalString());
  }

  /**
   * A payout: the sum and count of the commissions it gathered, positive and at least {@code minimum}
   * (the highest minimum of their campaigns; 0 for a commission the owner paid alone).
   */
  public static Optional<String> payout(long payoutId, Money recorded, int recordedCount, List<Money> gathered,
      long minimum) {
    Money sum = Money.of(0, recorded.currency());
    for (Money m : gathered) {
      sum = sum.plus(m);
    }
    if (!sum.equals(recorded) || recordedCount != gathered.size()) {
      return Optional.of("payout " + payoutId + ": recorded " + recorded.toDecimalString() + " of " + recordedCount
          + " commissions, it gathered " + sum.toDecimalString() + " of " + gathered.size());
    }
    if (sum.minor() <= 0 || sum.minor() < minimum) {
      return Optional.of("payout " + payoutId + ": " + sum.toDecimalString() + " is below the minimum "
          + Money.of(minimum, sum.currency()).toDecimalString() + " or not positive");
    }
    return Optional.empty();
  }

  /** A customer's cadence count in a campaign: one per commissioned sale. */
  public static Optional<String> cadenceCount(long customerId, long campaignId, int recorded, int commissionedSales) {
    return recorded == commissionedSales ? Optional.empty() : Optional.of("customer " + customerId + " in campaign "
        + campaignId + ": cadence count " + recorded + ", but " + commissionedSales + " sales earned");
  }
}
