package io.tracklane.stats;

import io.tracklane.domain.Ratios;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The figures of one stats row. Clicks count every recorded click (bot and repeated ones too, as
 * {@code botClicks} and {@code duplicateClicks} show apart); {@code uniqueClicks} are the clicks not
 * flagged duplicate. Conversions are credited sales, leads credited leads, refunds credited refunds.
 * {@code amounts} holds one entry per currency, sorted by currency.
 */
public record Measures(long clicks, long uniqueClicks, long botClicks, long duplicateClicks, long impressions,
    long leads, long conversions, long refunds, List<Amounts> amounts) {
  public static final Measures ZERO = new Measures(0, 0, 0, 0, 0, 0, 0, 0, List.of());

  /** Credited sales per click, as {@link Ratios#rate}. */
  public String conversionRate() {
    return Ratios.rate(conversions, clicks);
  }

  /** The amounts of {@code currency}, zeros when none. */
  public Amounts in(String currency) {
    return amounts.stream().filter(a -> a.currency().equals(currency)).findFirst()
        .orElse(new Amounts(currency, 0, 0, 0, 0, 0, 0));
  }

  /** [{currency, amount_cents}] of revenue, the shape of seed 002's money lists. */
  public JsonArray revenueJson() {
    JsonArray out = new JsonArray();
    amounts.forEach(a -> out.add(new JsonObject().put("currency", a.currency()).put("amount_cents", a.revenue())));
    return out;
  }

  /** [{currency, amount_cents}] of commissions not voided. */
  public JsonArray commissionsJson() {
    JsonArray out = new JsonArray();
    amounts.forEach(a -> out.add(new JsonObject().put("currency", a.currency())
        .put("amount_cents", a.commissionEarned())));
    return out;
  }

  public JsonObject toJson() {
    JsonArray money = new JsonArray();
    amounts.forEach(a -> money.add(a.toJson()));
    return new JsonObject().put("clicks", clicks).put("unique_clicks", uniqueClicks).put("bot_clicks", botClicks)
        .put("duplicate_clicks", duplicateClicks).put("impressions", impressions).put("leads", leads)
        .put("conversions", conversions).put("refunds", refunds).put("conversion_rate", conversionRate())
        .put("amounts", money);
  }
}
