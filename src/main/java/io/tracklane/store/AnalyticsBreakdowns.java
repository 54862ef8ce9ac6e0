package io.tracklane.store;

import static io.tracklane.store.AnalyticsRepository.CLICKS;
import static io.tracklane.store.AnalyticsRepository.SIGNED_AMOUNT;
import static io.tracklane.store.AnalyticsRepository.scope;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.function.Function;

/**
 * The dashboard's breakdowns of one range: by the click's source, by affiliate (the top ten) and
 * by campaign. The same binding as {@link AnalyticsRepository}: $1 program, $2 campaign or null,
 * [$3, $4) the range.
 */
final class AnalyticsBreakdowns {
  /** A credited sale counts under the source of the click it came through; without a click, "(none)". */
  private static final String SOURCES = """
      WITH c AS (SELECT coalesce(r.source, '(none)') AS source, count(*) AS n %s GROUP BY 1),
           s AS (SELECT coalesce(r.source, '(none)') AS source, count(*) AS n
                   FROM conversions v
                   LEFT JOIN clicks r ON r.program_id = v.program_id AND r.click_id = v.click_id
                  WHERE %s AND v.kind = 'sale' AND v.status = 'credited' GROUP BY 1)
      SELECT source, coalesce(c.n, 0) AS clicks, coalesce(s.n, 0) AS conversions
        FROM c FULL JOIN s USING (source)
       ORDER BY coalesce(c.n, 0) DESC, coalesce(s.n, 0) DESC, source
       LIMIT 20""".formatted(CLICKS, scope("v", "occurred_at"));
  /**
   * Clicks, credited sales and revenue (sales minus refunds, per currency) grouped by {@code %1$s}
   * (affiliate_id or campaign_id); home is the revenue in the program's currency.
   */
  private static final String PER_KEY = """
      clk AS (SELECT r.%1$s AS key, count(*) AS clicks %2$s GROUP BY 1),
      rev AS (SELECT v.%1$s AS key, v.currency, count(*) FILTER (WHERE v.kind = 'sale') AS conversions,
                     sum(%3$s)::bigint AS amount
                FROM conversions v
               WHERE %4$s AND v.status = 'credited' AND v.%1$s IS NOT NULL GROUP BY 1, 2),
      per AS (SELECT key, sum(conversions)::bigint AS conversions, sum(amount) AS total,
                     coalesce(sum(amount) FILTER (WHERE currency = $5::text), 0) AS home,
                     jsonb_agg(jsonb_build_object('currency', currency, 'amount_cents', amount) ORDER BY currency)
                       AS revenue
                FROM rev GROUP BY key)""";
  /**
   * Affiliates with a click or a credited sale or refund in the range, by revenue in the program's
   * currency, then by the sum of amount_cents over every currency, then by id.
   */
  private static final String TOP_AFFILIATES = """
      WITH %s
      SELECT a.id, a.first_name, a.last_name, a.email, coalesce(clk.clicks, 0) AS clicks,
             coalesce(per.conversions, 0) AS conversions, coalesce(per.revenue, '[]'::jsonb) AS revenue
        FROM affiliates a
        LEFT JOIN clk ON clk.key = a.id
        LEFT JOIN per ON per.key = a.id
       WHERE a.program_id = $1 AND (clk.key IS NOT NULL OR per.key IS NOT NULL)
       ORDER BY coalesce(per.home, 0) DESC, coalesce(per.total, 0) DESC, a.id
       LIMIT 10""".formatted(perKey("affiliate_id"));
  /** Every campaign of the program (or the one asked for), activity or not, by id. */
  private static final String CAMPAIGNS = """
      WITH %s
      SELECT c.id, c.name, coalesce(clk.clicks, 0) AS clicks, coalesce(per.conversions, 0) AS conversions,
             coalesce(per.revenue, '[]'::jsonb) AS revenue
        FROM campaigns c
        LEFT JOIN clk ON clk.key = c.id
        LEFT JOIN per ON per.key = c.id
       WHERE c.program_id = $1 AND ($2::bigint IS NULL OR c.id = $2)
       ORDER BY c.id""".formatted(perKey("campaign_id"));

  private final Pool pool;

  AnalyticsBreakdowns(Pool pool) {
    this.pool = pool;
  }

  private static String perKey(String column) {
    return PER_KEY.formatted(column, CLICKS, SIGNED_AMOUNT, scope("v", "occurred_at"));
  }

  Future<JsonArray> sources(Tuple window) {
    return list(SOURCES, window, r -> new JsonObject().put("source", r.getString("source"))
        .put("clicks", r.getLong("clicks")).put("conversions", r.getLong("conversions")));
  }

  Future<JsonArray> topAffiliates(Tuple window, String programCurrency) {
    return list(TOP_AFFILIATES, withCurrency(window, programCurrency), r -> new JsonObject()
        .put("affiliate_id", Rows.id(r, "id"))
        .put("name", name(r))
        .put("clicks", r.getLong("clicks"))
        .put("conversions", r.getLong("conversions"))
        .put("revenue", revenue(r)));
  }

  Future<JsonArray> campaigns(Tuple window, String programCurrency) {
    return list(CAMPAIGNS, withCurrency(window, programCurrency), r -> new JsonObject()
        .put("campaign_id", Rows.id(r, "id"))
        .put("name", r.getString("name"))
        .put("clicks", r.getLong("clicks"))
        .put("conversions", r.getLong("conversions"))
        .put("revenue", revenue(r)));
  }

  /** The affiliate's full name, else its e-mail (both name parts are optional at enrolment). */
  private static String name(Row r) {
    String full = (r.getString("first_name") + " " + r.getString("last_name")).trim();
    return full.isEmpty() ? r.getString("email") : full;
  }

  private static JsonArray revenue(Row r) {
    Object value = r.getValue("revenue");
    return value instanceof JsonArray array ? array : new JsonArray(String.valueOf(value));
  }

  private static Tuple withCurrency(Tuple window, String currency) {
    return Tuple.of(window.getValue(0), window.getValue(1), window.getValue(2), window.getValue(3), currency);
  }

  private Future<JsonArray> list(String sql, Tuple args, Function<Row, JsonObject> mapper) {
    return pool.preparedQuery(sql).execute(args).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(mapper.apply(r)));
      return out;
    });
  }
}
