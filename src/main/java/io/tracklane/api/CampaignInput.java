package io.tracklane.api;

import io.tracklane.domain.CampaignTerms;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.Set;

/**
 * Reads a campaign body (create, or an update merged over the stored campaign) into a draft of
 * typed values; the rules that tie them together are {@link CampaignTerms}'s.
 */
public final class CampaignInput {
  /** The fields a body may carry. */
  public static final Set<String> FIELDS = Set.of("name", "description", "landing_page_url", "allowed_domains",
      "currency", "reward_type", "commission_percent", "commission_amount_cents", "lead_reward_cents",
      "cookie_window_days", "minimum_payout_cents", "payout_delay_days", "reward_cadence",
      "max_commission_period_months", "max_commissions", "auto_approve_affiliates", "accept_client_conversions",
      "state", "hold_client_conversions", "credit_bot_clicks", "client_origins");
  private static final long MAX_CENTS = 1_000_000_000_000L;

  private CampaignInput() {
  }

  /** The campaign {@code json} describes; {@code programCurrency} when it names no currency. */
  public static CampaignTerms terms(JsonObject json, String programCurrency) {
    JsonArray domains = Json.strings(json, "allowed_domains");
    JsonArray origins = Json.strings(json, "client_origins");
    return CampaignTerms.of(new CampaignTerms.Draft(
        Json.required(json, "name", 200),
        json.getString("description") == null ? null : Json.string(json, "description", 4000),
        Json.url(json, "landing_page_url"),
        domains == null ? null : domains.stream().map(Object::toString).toList(),
        json.getString("currency") == null ? null : Json.string(json, "currency", 3),
        Json.oneOf(json, "reward_type", "percent", "amount"),
        Json.decimal(json, "commission_percent", BigDecimal.ZERO, BigDecimal.valueOf(100)),
        Json.wholeNumber(json, "commission_amount_cents", 0, MAX_CENTS),
        Json.wholeNumber(json, "lead_reward_cents", 0, MAX_CENTS),
        Json.wholeNumber(json, "cookie_window_days", 1, 3650),
        Json.wholeNumber(json, "minimum_payout_cents", 0, MAX_CENTS),
        Json.wholeNumber(json, "payout_delay_days", 0, 3650),
        Json.oneOf(json, "reward_cadence", "one_time", "first_year", "every_payment", "custom"),
        Json.wholeNumber(json, "max_commission_period_months", 1, 1200),
        Json.wholeNumber(json, "max_commissions", 1, 1_000_000),
        Json.bool(json, "auto_approve_affiliates"),
        Json.bool(json, "accept_client_conversions"),
        Json.oneOf(json, "state", "active", "disabled"),
        Json.bool(json, "hold_client_conversions"),
        Json.bool(json, "credit_bot_clicks"),
        origins == null ? null : origins.stream().map(Object::toString).toList()), programCurrency);
  }
}
