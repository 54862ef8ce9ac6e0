package io.tracklane.api;

import io.tracklane.domain.Currencies;
import io.tracklane.domain.Destinations;
import io.tracklane.http.HttpError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

/** A campaign body (create, or an update merged over the stored campaign), validated as a whole. */
public final class CampaignInput {
  /** Writable fields in column order; the repository writes them in this order. */
  public static final List<String> COLUMNS = List.of("name", "description", "landing_page_url", "allowed_domains",
      "currency", "reward_type", "commission_percent", "commission_amount_cents", "lead_reward_cents",
      "cookie_window_days", "minimum_payout_cents", "payout_delay_days", "reward_cadence",
      "max_commission_period_months", "max_commissions", "auto_approve_affiliates", "accept_client_conversions",
      "state", "hold_client_conversions");
  public static final Set<String> FIELDS = Set.copyOf(COLUMNS);
  private static final long MAX_CENTS = 1_000_000_000_000L;

  private CampaignInput() {
  }

  /** Validates {@code json} (all fields, defaults applied) into a tuple in {@link #COLUMNS} order. */
  public static Tuple toTuple(JsonObject json, String programCurrency) {
    String name = Json.required(json, "name", 200);
    String description = json.getString("description") == null ? "" : Json.string(json, "description", 4000);
    String landing = Json.url(json, "landing_page_url");
    if (landing == null) {
      throw HttpError.badRequest("landing_page_url is required");
    }
    JsonArray domains = Json.strings(json, "allowed_domains");
    String currency = json.getString("currency") == null ? programCurrency : Json.string(json, "currency", 3);
    if (!Currencies.isValid(currency)) {
      throw HttpError.badRequest("currency must be an ISO 4217 code like EUR");
    }
    String rewardType = Json.oneOf(json, "reward_type", "percent", "amount");
    if (rewardType == null) {
      throw HttpError.badRequest("reward_type is required (percent or amount)");
    }
    BigDecimal percent = Json.decimal(json, "commission_percent", BigDecimal.ZERO, BigDecimal.valueOf(100));
    Long amount = Json.wholeNumber(json, "commission_amount_cents", 0, MAX_CENTS);
    if ("percent".equals(rewardType) && percent == null) {
      throw HttpError.badRequest("commission_percent is required when reward_type is percent");
    }
    if ("amount".equals(rewardType) && amount == null) {
      throw HttpError.badRequest("commission_amount_cents is required when reward_type is amount");
    }
    String cadence = orDefault(Json.oneOf(json, "reward_cadence", "one_time", "first_year", "every_payment", "custom"),
        "every_payment");
    Long period = Json.wholeNumber(json, "max_commission_period_months", 1, 1200);
    Long maxCount = Json.wholeNumber(json, "max_commissions", 1, 1_000_000);
    if ("first_year".equals(cadence)) {
      if (period != null && period != 12) {
        throw HttpError.badRequest("max_commission_period_months must be 12 (or absent) with reward_cadence first_year");
      }
      period = 12L;
      maxCount = null;
    }
    if ("custom".equals(cadence) && period == null && maxCount == null) {
      throw HttpError.badRequest("reward_cadence custom needs max_commission_period_months or max_commissions");
    }
    return Tuple.tuple()
        .addValue(name)
        .addValue(description)
        .addValue(landing)
        .addValue(domains == null ? new String[0] : domains.stream()
            .map(d -> Destinations.allowedDomain("allowed_domains", d.toString())).distinct().toArray(String[]::new))
        .addValue(currency)
        .addValue(rewardType)
        .addValue(percent == null ? BigDecimal.ZERO : percent)
        .addValue(amount == null ? 0L : amount)
        .addValue(Json.wholeNumber(json, "lead_reward_cents", 0, MAX_CENTS))
        .addValue(intOr(Json.wholeNumber(json, "cookie_window_days", 1, 3650), 30))
        .addValue(longOr(Json.wholeNumber(json, "minimum_payout_cents", 0, MAX_CENTS), 0))
        .addValue(intOr(Json.wholeNumber(json, "payout_delay_days", 0, 3650), 30))
        .addValue(cadence)
        .addValue(period == null ? null : period.intValue())
        .addValue(maxCount == null ? null : maxCount.intValue())
        .addValue(boolOr(Json.bool(json, "auto_approve_affiliates"), true))
        .addValue(boolOr(Json.bool(json, "accept_client_conversions"), false))
        .addValue(orDefault(Json.oneOf(json, "state", "active", "disabled"), "active"))
        .addValue(boolOr(Json.bool(json, "hold_client_conversions"), false));
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }

  private static int intOr(Long value, int fallback) {
    return value == null ? fallback : value.intValue();
  }

  private static long longOr(Long value, long fallback) {
    return value == null ? fallback : value;
  }

  private static boolean boolOr(Boolean value, boolean fallback) {
    return value == null ? fallback : value;
  }
}
