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
    BigDecimal value = parseMajor(decimal);
    if (value.scale() > digits) {
      throw new InvalidInput("amount", "has more than " + digits + " decimals for " + currency);
    }
    BigDecimal minor = value.movePointRight(digits);
    if (minor.compareTo(MAX_MINOR) > 0) {
      throw new InvalidInput("amount", "is too large");
    }
    return new Money(minor.longValueExact(), currency);
  }

  /**
   * Checks a decimal string in major units whose currency is not known yet (the ledger decides it):
   * the syntax, at most as many decimals as any currency has, and a trillion major units at most.
   * Returns the value without trailing zeros.
   */
  public static BigDecimal parseMajor(String decimal) {
    if (decimal == null || decimal.isEmpty()) {
      throw new InvalidInput("amount", "is required");
    }
    if (decimal.length() > 24 || !decimal.matches("\\d+(\\.\\d+)?")) {
      throw new InvalidInput("amount", "must be a plain non-negative decimal like 49.90");
    }
    BigDecimal value = new BigDecimal(decimal);
    if (value.scale() > 0) {
      value = value.stripTrailingZeros();
    }
    if (value.scale() > MAX_DIGITS) {
      throw new InvalidInput("amount", "has more than " + MAX_DIGITS + " decimals");
    }
    if (value.compareTo(MAX_MAJOR) > 0) {
      throw new InvalidInput("amount", "is too large");
    }
    return value.scale() < 0 ? value.setScale(0) : value;
  }

  /**
   * An exact amount of minor units rounded half-even to a whole minor unit: the one rounding rule.
   * Every computation keeps its exact value until this single rounding.
   */
  public static Money rounded(BigDecimal exactMinor, String currency) {
    return new Money(exactMinor.setScale(0, RoundingMode.HALF_EVEN).longValueExact(), currency);
  }

  /** The given percent of this amount, rounded once. */
  public Money percent(BigDecimal percent) {
    return rounded(BigDecimal.valueOf(minor).multiply(percent).movePointLeft(2), currency);
  }

  /**
   * {@code part / whole} of this amount, rounded once. The exact share may not be a finite decimal
   * (1/3), so it is divided with the rounding itself: the same half-even rule, applied once.
   */
  public Money share(long part, long whole) {
    BigDecimal exact = BigDecimal.valueOf(minor).multiply(BigDecimal.valueOf(part));
    return new Money(exact.divide(BigDecimal.valueOf(whole), 0, RoundingMode.HALF_EVEN).longValueExact(), currency);
  }

  public Money minus(Money other) {
    return plus(other.negate());
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
  /** The bound for an amount whose currency is not known yet: a trillion major units. */
  private static final BigDecimal MAX_MAJOR = new BigDecimal("1000000000000");
  /** The most minor digits an ISO 4217 currency has (CLF, UYW). */
  private static final int MAX_DIGITS = 4;
}
