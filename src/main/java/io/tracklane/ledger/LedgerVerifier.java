package io.tracklane.ledger;

import io.tracklane.domain.FxRate;
import io.tracklane.domain.LedgerCheck;
import io.tracklane.domain.Money;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Recomputes the ledger from its stored facts with the domain's rules ({@link LedgerCheck}): every
 * sale and lead commission, every refund's reversals, every payout and every cadence count. A
 * commission is recomputed from its campaign's current terms only when the campaign was not changed
 * since the commission (older ones were made under terms no longer stored).
 */
public final class LedgerVerifier {
  private static final String TERMS = """
      c.reward_type, c.commission_percent, c.commission_amount_cents, c.lead_reward_cents, c.currency AS campaign_currency,
      c.cookie_window_days, c.payout_delay_days, c.reward_cadence, c.max_commission_period_months, c.max_commissions""";
  private static final String SALES = "SELECT m.id, m.amount_minor, m.currency, m.fx_rate, v.amount_minor AS sale_minor,"
      + " v.currency AS sale_currency, " + TERMS + """

        FROM commissions m JOIN conversions v ON v.id = m.conversion_id JOIN campaigns c ON c.id = m.campaign_id
       WHERE m.kind = 'sale' AND c.updated_at <= m.created_at AND ($1::bigint IS NULL OR m.program_id = $1)
       ORDER BY m.id""";
  private static final String LEADS = "SELECT m.id, m.amount_minor, m.currency, " + TERMS + """

        FROM commissions m JOIN campaigns c ON c.id = m.campaign_id
       WHERE m.kind = 'lead' AND c.updated_at <= m.created_at AND ($1::bigint IS NULL OR m.program_id = $1)
       ORDER BY m.id""";
  private static final String REVERSALS = """
      SELECT m.id, m.amount_minor, m.currency, m.status, v.amount_minor AS sale_minor,
             (SELECT coalesce(sum(r.amount_minor), 0) FROM conversions r
               WHERE r.program_id = v.program_id AND r.transaction_id = v.transaction_id AND r.kind = 'refund'
                 AND r.status = 'credited') AS refunded,
             (SELECT coalesce(sum(e.amount_minor), 0) FROM commissions e
               WHERE e.program_id = m.program_id AND e.reverses_id = m.id AND e.status <> 'voided') AS reversed
        FROM commissions m JOIN conversions v ON v.id = m.conversion_id
       WHERE m.kind = 'sale' AND ($1::bigint IS NULL OR m.program_id = $1)
       ORDER BY m.id""";
  private static final String PAYOUTS = """
      SELECT p.id, p.amount_minor, p.currency, p.commission_count, p.paid_alone,
             coalesce(array_agg(m.amount_minor ORDER BY m.id) FILTER (WHERE m.id IS NOT NULL), '{}') AS gathered,
             coalesce(max(c.minimum_payout_cents) FILTER (WHERE c.updated_at <= p.created_at), 0) AS minimum
        FROM payouts p LEFT JOIN commissions m ON m.payout_id = p.id LEFT JOIN campaigns c ON c.id = m.campaign_id
       WHERE $1::bigint IS NULL OR p.program_id = $1
       GROUP BY p.id ORDER BY p.id""";
  private static final String CADENCE = """
      SELECT coalesce(e.customer_id, cc.customer_id) AS customer_id, coalesce(e.campaign_id, cc.campaign_id)
             AS campaign_id, coalesce(cc.commissioned_sales, 0) AS recorded, coalesce(e.earned, 0) AS earned
        FROM (SELECT v.customer_id, m.campaign_id, count(*)::int AS earned
                FROM commissions m JOIN conversions v ON v.id = m.conversion_id
               WHERE m.kind = 'sale' AND v.customer_id IS NOT NULL AND ($1::bigint IS NULL OR m.program_id = $1)
               GROUP BY v.customer_id, m.campaign_id) e
        FULL JOIN (SELECT customer_id, campaign_id, commissioned_sales FROM customer_campaigns
                    WHERE $1::bigint IS NULL OR program_id = $1) cc
          ON cc.customer_id = e.customer_id AND cc.campaign_id = e.campaign_id
       WHERE coalesce(cc.commissioned_sales, 0) <> coalesce(e.earned, 0)""";

  private final Pool pool;

  public LedgerVerifier(Pool pool) {
    this.pool = pool;
  }

  /** Every difference between what is stored and what the rules give, in one program or (null) all. */
  public Future<List<String>> verify(Long programId) {
    List<String> out = new ArrayList<>();
    return check(SALES, programId, out, r -> {
      Money sale = Money.of(r.getLong("sale_minor"), r.getString("sale_currency"));
      FxRate rate = r.getBigDecimal("fx_rate") == null ? FxRate.identity(sale.currency())
          : new FxRate(sale.currency(), r.getString("currency"), r.getBigDecimal("fx_rate"));
      return LedgerCheck.saleCommission(r.getLong("id"), sale, rate, LedgerStore.rule(r, "campaign_currency"),
          recorded(r));
    }).compose(v -> check(LEADS, programId, out, r -> LedgerCheck.leadCommission(r.getLong("id"),
        LedgerStore.rule(r, "campaign_currency"), recorded(r))))
        .compose(v -> check(REVERSALS, programId, out, r -> {
          String currency = r.getString("currency");
          // The sale and its refunds are in the sale's currency; the share is the same in any unit.
          return LedgerCheck.reversals(r.getLong("id"), recorded(r), "voided".equals(r.getString("status")),
              Money.of(r.getLong("sale_minor"), currency), Money.of(r.getLong("refunded"), currency),
              Money.of(r.getLong("reversed"), currency));
        }))
        .compose(v -> check(PAYOUTS, programId, out, r -> LedgerCheck.payout(r.getLong("id"), recorded(r),
            r.getInteger("commission_count"), Arrays.stream(r.getArrayOfLongs("gathered"))
                .map(minor -> Money.of(minor, r.getString("currency"))).toList(),
            r.getBoolean("paid_alone") ? 0 : r.getLong("minimum"))))
        .compose(v -> check(CADENCE, programId, out, r -> LedgerCheck.cadenceCount(r.getLong("customer_id"),
            r.getLong("campaign_id"), r.getInteger("recorded"), r.getInteger("earned"))))
        .map(out);
  }

  private Future<Void> check(String sql, Long programId, List<String> out, Function<Row, Optional<String>> rule) {
    return pool.preparedQuery(sql).execute(Tuple.of(programId)).map((RowSet<Row> rows) -> {
      rows.forEach(r -> rule.apply(r).ifPresent(out::add));
      return null;
    });
  }

  private static Money recorded(Row r) {
    return Money.of(r.getLong("amount_minor"), r.getString("currency"));
  }
}
