package io.tracklane.domain;

import java.math.BigDecimal;
import java.util.List;

/**
 * A campaign's landing page and reward rules, complete and consistent: built only through
 * {@link #of}, which applies the defaults and the rules that tie fields together.
 */
public record CampaignTerms(String name, String description, String landingPageUrl, List<String> allowedDomains,
    String currency, String rewardType, BigDecimal commissionPercent, long commissionAmountCents,
    Long leadRewardCents, int cookieWindowDays, long minimumPayoutCents, int payoutDelayDays,
    String rewardCadence, Integer maxCommissionPeriodMonths, Integer maxCommissions,
    boolean autoApproveAffiliates, boolean acceptClientConversions, String state, boolean holdClientConversions,
    boolean creditBotClicks, List<String> clientOrigins) {

  /** The values as given, each already of its type and within its own range; null: not given. */
  public record Draft(String name, String description, String landingPageUrl, List<String> allowedDomains,
      String currency, String rewardType, BigDecimal commissionPercent, Long commissionAmountCents,
      Long leadRewardCents, Long cookieWindowDays, Long minimumPayoutCents, Long payoutDelayDays,
      String rewardCadence, Long maxCommissionPeriodMonths, Long maxCommissions, Boolean autoApproveAffiliates,
      Boolean acceptClientConversions, String state, Boolean holdClientConversions, Boolean creditBotClicks,
      List<String> clientOrigins) {
  }

  /**
   * The terms a draft describes, defaults applied ({@code programCurrency} when it names none);
   * an {@link InvalidInput} naming the field when the fields do not fit together.
   */
  public static CampaignTerms of(Draft d, String programCurrency) {
    require(d.name(), "name");
    require(d.landingPageUrl(), "landing_page_url");
    String currency = d.currency() == null ? programCurrency : d.currency();
    if (!Currencies.isValid(currency)) {
      throw new InvalidInput("currency", "must be an ISO 4217 code like EUR");
    }
    if (d.rewardType() == null) {
      throw new InvalidInput("reward_type", "is required (percent or amount)");
    }
    if ("percent".equals(d.rewardType()) && d.commissionPercent() == null) {
      throw new InvalidInput("commission_percent", "is required when reward_type is percent");
    }
    if ("amount".equals(d.rewardType()) && d.commissionAmountCents() == null) {
      throw new InvalidInput("commission_amount_cents", "is required when reward_type is amount");
    }
    String cadence = d.rewardCadence() == null ? "every_payment" : d.rewardCadence();
    Long period = d.maxCommissionPeriodMonths();
    Long count = d.maxCommissions();
    if ("first_year".equals(cadence)) {
      // first_year is a 12-month period with no count limit, whatever else was sent.
      if (period != null && period != 12) {
        throw new InvalidInput("max_commission_period_months", "must be 12 (or absent) with reward_cadence first_year");
      }
      period = 12L;
      count = null;
    }
    if ("custom".equals(cadence) && period == null && count == null) {
      throw new InvalidInput("reward_cadence", "custom needs max_commission_period_months or max_commissions");
    }
    List<String> domains = d.allowedDomains() == null ? List.of() : d.allowedDomains().stream()
        .map(domain -> Destinations.allowedDomain("allowed_domains", domain)).distinct().toList();
    return new CampaignTerms(d.name(), d.description() == null ? "" : d.description(), d.landingPageUrl(),
        domains, currency, d.rewardType(), d.commissionPercent() == null ? BigDecimal.ZERO : d.commissionPercent(),
        d.commissionAmountCents() == null ? 0L : d.commissionAmountCents(), d.leadRewardCents(),
        intOr(d.cookieWindowDays(), 30), d.minimumPayoutCents() == null ? 0L : d.minimumPayoutCents(),
        intOr(d.payoutDelayDays(), 30), cadence, period == null ? null : period.intValue(),
        count == null ? null : count.intValue(), or(d.autoApproveAffiliates(), true),
        or(d.acceptClientConversions(), false), d.state() == null ? "active" : d.state(),
        or(d.holdClientConversions(), false), or(d.creditBotClicks(), false),
        d.clientOrigins() == null ? List.of() : limited(d.clientOrigins()).stream().map(CampaignTerms::origin).distinct()
            .toList());
  }

  private static List<String> limited(List<String> origins) {
    if (origins.size() > 50) {
      throw new InvalidInput("client_origins", "may list at most 50 origins");
    }
    return origins;
  }

  /** An origin as a browser sends it: http(s), a host, an optional port, nothing else. */
  static String origin(String value) {
    String clean = value == null ? "" : value.trim().toLowerCase(java.util.Locale.ROOT);
    if (clean.endsWith("/")) {
      clean = clean.substring(0, clean.length() - 1);
    }
    if (!ORIGIN.matcher(clean).matches()) {
      throw new InvalidInput("client_origins", "entries must be origins like https://shop.example (scheme, host, "
          + "optional port; no path)");
    }
    return clean;
  }

  private static final java.util.regex.Pattern ORIGIN = java.util.regex.Pattern.compile(
      "https?://[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?");

  private static void require(String value, String field) {
    if (value == null) {
      throw new InvalidInput(field, "is required");
    }
  }

  private static int intOr(Long value, int fallback) {
    return value == null ? fallback : value.intValue();
  }

  private static boolean or(Boolean value, boolean fallback) {
    return value == null ? fallback : value;
  }
}
