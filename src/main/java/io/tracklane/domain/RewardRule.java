package io.tracklane.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A campaign's reward rules, as the ledger applies them to a sale.
 *
 * @param commissionPercent the percent of the sale for {@link RewardType#PERCENT}, e.g. 12.5
 * @param commissionAmountMinor the flat amount for {@link RewardType#AMOUNT}, in the campaign currency
 * @param maxCommissionPeriodMonths for custom cadence: months after the first commissioned sale
 * @param maxCommissions for custom cadence: how many sales of one customer earn at most
 * @param leadRewardMinor the optional flat reward of a credited lead, in the campaign currency
 */
public record RewardRule(
    RewardType rewardType,
    BigDecimal commissionPercent,
    long commissionAmountMinor,
    String currency,
    int cookieWindowDays,
    int payoutDelayDays,
    RewardCadence cadence,
    Integer maxCommissionPeriodMonths,
    Integer maxCommissions,
    Long leadRewardMinor) {

  /** What the ledger knows of a customer when one more sale of theirs arrives. */
  public record CustomerHistory(Instant firstCommissionedAt, int commissionedSales) {
    public static final CustomerHistory NEW = new CustomerHistory(null, 0);
  }

  /**
   * The commission a sale earns under the reward type and cadence, or empty when the cadence is
   * exhausted. {@code rate} converts the sale's currency into the campaign's.
   */
  public Optional<Money> saleCommission(Money sale, FxRate rate, CustomerHistory customer, Instant at, ZoneId zone) {
    if (!cadenceAllows(customer.firstCommissionedAt(), customer.commissionedSales(), at, zone)) {
      return Optional.empty();
    }
    return Optional.of(commissionFor(sale, rate));
  }

  /** The flat lead reward, when the campaign pays one. */
  public Optional<Money> leadCommission() {
    return leadRewardMinor == null || leadRewardMinor <= 0 ? Optional.empty()
        : Optional.of(Money.of(leadRewardMinor, currency));
  }

  /** The commission a sale in the campaign's currency earns before the cadence is considered. */
  public Money commissionFor(Money sale) {
    return commissionFor(sale, FxRate.identity(sale.currency()));
  }

  /**
   * The commission a sale earns before the cadence is considered: converted and taken as a percent
   * exactly, then rounded once.
   */
  public Money commissionFor(Money sale, FxRate rate) {
    return switch (rewardType) {
      case PERCENT -> Money.rounded(rate.exactMinor(sale).multiply(commissionPercent).movePointLeft(2), currency);
      case AMOUNT -> Money.of(commissionAmountMinor, currency);
    };
  }

  /**
   * Whether one more sale of a customer earns under the cadence.
   *
   * @param firstCommissionedAt the customer's first commissioned sale, null if none yet
   * @param commissionedSales how many of the customer's sales earned so far
   * @param at when the sale happened
   * @param zone the program's time zone, in which months are counted
   */
  public boolean cadenceAllows(Instant firstCommissionedAt, int commissionedSales, Instant at, ZoneId zone) {
    return switch (cadence) {
      case ONE_TIME -> commissionedSales == 0;
      case EVERY_PAYMENT -> true;
      case FIRST_YEAR -> withinMonths(firstCommissionedAt, 12, at, zone);
      case CUSTOM -> (maxCommissionPeriodMonths == null
          || withinMonths(firstCommissionedAt, maxCommissionPeriodMonths, at, zone))
          && (maxCommissions == null || commissionedSales < maxCommissions);
    };
  }

  private static boolean withinMonths(Instant anchor, int months, Instant at, ZoneId zone) {
    if (anchor == null) {
      return true;
    }
    Instant end = ZonedDateTime.ofInstant(anchor, zone).plusMonths(months).toInstant();
    return at.isBefore(end);
  }
}
