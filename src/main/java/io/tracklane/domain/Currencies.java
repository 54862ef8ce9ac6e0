package io.tracklane.domain;

import java.util.Currency;
import java.util.regex.Pattern;

/** ISO 4217 lookups: which codes exist and how many minor digits each has. */
public final class Currencies {
  private static final Pattern CODE = Pattern.compile("[A-Z]{3}");

  private Currencies() {
  }

  /** The number of minor-unit digits of an ISO 4217 code (JPY 0, EUR 2, BHD 3). */
  public static int minorDigits(String code) {
    if (code == null || !CODE.matcher(code).matches()) {
      throw new InvalidInput("currency", "must be an ISO 4217 code like EUR");
    }
    Currency currency;
    try {
      currency = Currency.getInstance(code);
    } catch (IllegalArgumentException e) {
      throw new InvalidInput("currency", "is not a known ISO 4217 code: " + code);
    }
    int digits = currency.getDefaultFractionDigits();
    if (digits < 0) {
      throw new InvalidInput("currency", "has no minor unit (not a money currency): " + code);
    }
    return digits;
  }

  public static boolean isValid(String code) {
    try {
      minorDigits(code);
      return true;
    } catch (InvalidInput e) {
      return false;
    }
  }
}
