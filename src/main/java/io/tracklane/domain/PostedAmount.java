package io.tracklane.domain;

import java.math.BigDecimal;

/**
 * The amount a postback reported. When it named its currency the edge already read it into exact
 * minor units; otherwise only its decimal text is known, read once the ledger knows the campaign:
 * a postback without a currency is in the currency of the campaign it is credited to (by click,
 * coupon or customer binding), a refund in its sale's, and anything else in the program's.
 *
 * @param minor minor units of {@code currency}, when the postback named it
 * @param text the decimal as sent in major units, null when none was sent
 * @param currency the currency the postback named, null when it named none
 */
public record PostedAmount(Long minor, String text, String currency) {
  public static final String INVALID_AMOUNT = "invalid_amount";

  /** Whether any amount was sent (a refund without one refunds what remains). */
  public boolean given() {
    return minor != null || text != null;
  }

  /** The currency it is in: the one named, else {@code fallback}. */
  public String currencyOr(String fallback) {
    return currency != null ? currency : fallback;
  }

  /**
   * The amount in the named currency, else in {@code fallback}; null when none was sent. Throws
   * {@link InvalidInput} when the text has more decimals than that currency.
   */
  public Money in(String fallback) {
    if (currency != null && minor != null) {
      return Money.of(minor, currency);
    }
    return text == null ? null : Money.parse(text, currencyOr(fallback));
  }

  /** The amount in major units, whatever its currency: what identifies a refund without an id. */
  public BigDecimal major() {
    if (text != null) {
      return Money.parseMajor(text);
    }
    return minor == null ? null : BigDecimal.valueOf(minor, Currencies.minorDigits(currency));
  }
}
