package io.tracklane.domain;

import java.time.Instant;
import java.util.Optional;

/** Decides whether a conversion carrying a click id can be credited to that click's link. */
public final class Attribution {
  public static final String NO_ATTRIBUTION = "no_attribution";
  public static final String FORGED_CLICK_ID = "forged_click_id";
  public static final String UNKNOWN_LINK = "unknown_link";
  public static final String EXPIRED_CLICK = "expired_click";
  public static final String NOT_CREDITABLE = "not_creditable";
  public static final String LINK_DISABLED = "link_disabled";
  public static final String UNKNOWN_COUPON = "unknown_coupon";
  public static final String COUPON_DISABLED = "coupon_disabled";
  public static final String CAMPAIGN_DISABLED = "campaign_disabled";
  public static final String AFFILIATE_DISABLED = "affiliate_disabled";
  public static final String ENROLLMENT_INACTIVE = "enrollment_inactive";
  public static final String NO_FX_RATE = "no_fx_rate";
  public static final String UNKNOWN_SALE = "unknown_sale";
  public static final String SALE_NOT_CREDITED = "sale_not_credited";
  public static final String REFUND_CURRENCY_MISMATCH = "refund_currency_mismatch";
  /** The click was flagged bot (crawler, link preview, headless browser, HEAD) and its campaign credits none. */
  public static final String BOT_CLICK = "bot_click";

  private Attribution() {
  }

  /** What the ledger knows of the link a click id names. */
  public record LinkTerms(boolean creditable, int cookieWindowDays) {
  }

  /**
   * The reason the click cannot be credited, or empty when it can.
   *
   * @param rawClickId the click id as reported, null if none
   * @param verified the verified click id, empty when {@code rawClickId} did not verify
   * @param link the terms of the link the click id names, null when no such link exists in the program
   * @param at when the conversion happened
   */
  public static Optional<String> rejectClick(String rawClickId, Optional<ClickId> verified, LinkTerms link,
      Instant at) {
    if (rawClickId == null || rawClickId.isEmpty()) {
      return Optional.of(NO_ATTRIBUTION);
    }
    if (verified.isEmpty()) {
      return Optional.of(FORGED_CLICK_ID);
    }
    if (link == null) {
      return Optional.of(UNKNOWN_LINK);
    }
    if (!verified.get().creditableAt(at, link.cookieWindowDays())) {
      return Optional.of(EXPIRED_CLICK);
    }
    if (!link.creditable()) {
      return Optional.of(NOT_CREDITABLE);
    }
    return Optional.empty();
  }

  /**
   * The reason a (campaign, affiliate) pair cannot earn, or empty when it can: only an active
   * affiliate with an active enrolment in an active campaign earns.
   */
  public static Optional<String> rejectTerms(String campaignState, String affiliateState, String enrollmentState) {
    if (!"active".equals(campaignState)) {
      return Optional.of(CAMPAIGN_DISABLED);
    }
    if (!"active".equals(affiliateState)) {
      return Optional.of(AFFILIATE_DISABLED);
    }
    if (!"active".equals(enrollmentState)) {
      return Optional.of(ENROLLMENT_INACTIVE);
    }
    return Optional.empty();
  }

  /**
   * The customer key a conversion is counted under: the advertiser's customer id, else the e-mail,
   * else null (then each conversion stands alone and nothing is bound).
   */
  public static String customerKey(String customerId, String email) {
    if (customerId != null && !customerId.isBlank()) {
      return customerId;
    }
    return email == null || email.isBlank() ? null : "email:" + email.toLowerCase(java.util.Locale.ROOT);
  }
}
