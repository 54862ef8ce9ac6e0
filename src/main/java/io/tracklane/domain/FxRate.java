package io.tracklane.domain;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A stored exchange rate: one unit of {@code base} is worth {@code rate} units of {@code quote}.
 * The rate used is kept on the commission, so a later rate change never alters past money.
 */
public record FxRate(String base, String quote, BigDecimal rate) {

  public FxRate {
    Currencies.minorDigits(base);
    Currencies.minorDigits(quote);
    Objects.requireNonNull(rate, "rate");
    if (rate.signum() <= 0) {
      throw new InvalidInput("rate", "must be positive");
    }
  }

  /** The identity rate, for conversions already in the campaign's currency. */
  public static FxRate identity(String currency) {
    return new FxRate(currency, currency, BigDecimal.ONE);
  }

  /**
   * Converts an amount in {@code base} into {@code quote}, rounded once by {@link Money#rounded}:
   * the minor units are scaled by the rate, shifted by the difference of minor digits (EUR 2, JPY 0).
   */
  public Money convert(Money amount) {
    return Money.rounded(exactMinor(amount), quote);
  }

  /** The converted amount in minor units of {@code quote}, not rounded: for computations that round once. */
  public BigDecimal exactMinor(Money amount) {
    if (!amount.currency().equals(base)) {
      throw new IllegalArgumentException("rate " + base + "->" + quote + " cannot convert " + amount.currency());
    }
    if (base.equals(quote)) {
      return BigDecimal.valueOf(amount.minor());
    }
    int shift = Currencies.minorDigits(quote) - Currencies.minorDigits(base);
    return BigDecimal.valueOf(amount.minor()).multiply(rate).movePointRight(shift);
  }
}
