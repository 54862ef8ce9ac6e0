package io.tracklane.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * An amount of money: an integer count of minor units of one ISO 4217 currency.
 * Never a double; arithmetic that can round goes through {@link #percent(BigDecimal)}.
 */
public record Money(long minor, String currency) {

  public Money {
    Objects.requireNonNull(currency, "currency");
    Currencies.minorDigits(currency);
  }

  public static Money of(long minor, String currency) {
    return new Money(minor, currency);
  }

  /**
   * Parses a decimal string in major units ("49.90") exactly into minor units of the currency.
   * Rejects signs, exponents, more decimals than the currency has and absurd magnitudes.
   */
  public static Money parse(String decimal, String currency) {
    int digits = Currencies.minorDigits(currency);
    if (decimal == null || decimal.isEmpty()) {
      throw new InvalidInput("amount", "is required");
    }
    if (decimal.length() > 24 || !decimal.matches("\\d+(\\.\\d+)?")) {
      throw new InvalidInput("amount", "must be a plain non-negative decimal like 49.90");
    }
    BigDecimal value = new BigDecimal(decimal);
    if (value.scale() > digits) {
      value = value.stripTrailingZeros();
      if (value.scale() > digits) {
        throw new InvalidInput("amount", "has more than " + digits + " decimals for " + currency);
      }
    }
    BigDecimal minor = value.movePointRight(digits);
    if (minor.compareTo(MAX_MINOR) > 0) {
      throw new InvalidInput("amount", "is too large");
    }
    return new Money(minor.longValueExact(), currency);
  }

  /** The given percent of this amount, rounded half-even to the minor unit: the one rounding rule. */
  public Money percent(BigDecimal percent) {
    BigDecimal exact = BigDecimal.valueOf(minor).multiply(percent).movePointLeft(2);
    return new Money(exact.setScale(0, RoundingMode.HALF_EVEN).longValueExact(), currency);
  }

  public Money plus(Money other) {
    requireSameCurrency(other);
    return new Money(Math.addExact(minor, other.minor), currency);
  }

  public Money negate() {
    return new Money(Math.negateExact(minor), currency);
  }

  /** The amount as a decimal string in major units, e.g. 4990 EUR is "49.90". */
  public String toDecimalString() {
    return BigDecimal.valueOf(minor, Currencies.minorDigits(currency)).toPlainString();
  }

  private void requireSameCurrency(Money other) {
    if (!currency.equals(other.currency)) {
      throw new IllegalArgumentException("currency mismatch: " + currency + " vs " + other.currency);
    }
  }

  /** A trillion major units of a 3-decimal currency: far above any real sale. */
  private static final BigDecimal MAX_MINOR = new BigDecimal("1000000000000000");
}
