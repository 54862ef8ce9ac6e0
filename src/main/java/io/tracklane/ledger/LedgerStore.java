package io.tracklane.ledger;

import io.tracklane.domain.Attribution;
import io.tracklane.domain.ClickId;
import io.tracklane.domain.CommissionStatus;
import io.tracklane.domain.FxRate;
import io.tracklane.domain.Money;
import io.tracklane.domain.RewardCadence;
import io.tracklane.domain.RewardRule;
import io.tracklane.domain.RewardType;
import io.tracklane.domain.Trust;
import io.tracklane.firehose.CloudEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** The ledger's writes, each idempotent by a natural key: a conflict means already done. */
final class LedgerStore {
  private static final String PROGRAM_CURRENCY = "SELECT currency FROM programs WHERE id = $1";
  private static final String INSERT_REJECTED = """
      INSERT INTO rejected_events (program_id, event_id, event_type, transaction_id, reason, payload, occurred_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (program_id, event_id) DO UPDATE
        SET reason = EXCLUDED.reason, payload = EXCLUDED.payload, attempts = rejected_events.attempts + 1,
            resolved_at = NULL
        WHERE rejected_events.reason <> 'duplicate'
      RETURNING id, xmax = 0 AS inserted""";
  /** A fact credited after it was rejected: its rejection is resolved, not erased. */
  static final String RESOLVE = """
      UPDATE rejected_events SET resolved_at = now() WHERE program_id = $1 AND event_id = $2 AND resolved_at IS NULL""";
  /** Everything that decides whether and how much a (campaign, affiliate) pair earns, in one row. */
  private static final String TERMS = """
      SELECT c.reward_type, c.commission_percent, c.commission_amount_cents, c.lead_reward_cents, c.currency,
             c.cookie_window_days, c.payout_delay_days, c.reward_cadence, c.max_commission_period_months,
             c.max_commissions, c.hold_client_conversions, c.credit_bot_clicks, c.state AS campaign_state, a.state AS affiliate_state,
             coalesce(e.state, 'none') AS enrollment_state, p.time_zone
        FROM campaigns c
        JOIN affiliates a ON a.program_id = c.program_id AND a.id = $3
        JOIN programs p ON p.id = c.program_id
        LEFT JOIN enrollments e ON e.campaign_id = c.id AND e.affiliate_id = a.id
       WHERE c.program_id = $1 AND c.id = $2""";
  /** The flags the edge gave a click, found as the batch marks it (DerivedWrites): the second its issue time falls in. */
  private static final String CLICK_FLAGS = """
      SELECT flags FROM clicks
       WHERE click_id = $1 AND created_at >= $2 AND created_at < $2 + interval '1 second' AND program_id = $3""";
  private static final String LINK = """
      SELECT campaign_id, affiliate_id, state FROM links WHERE program_id = $1 AND id = $2""";
  private static final String COUPON = """
      SELECT campaign_id, affiliate_id, state FROM coupons WHERE program_id = $1 AND code = $2""";
  private static final String FX_RATE = """
      SELECT rate FROM fx_rates WHERE program_id = $1 AND base_currency = $2 AND quote_currency = $3""";
  private static final String INSERT_COMMISSION = """
      INSERT INTO commissions (program_id, source_key, kind, conversion_id, lead_id, affiliate_id, campaign_id,
                               amount_minor, currency, status, due_at, fx_rate, reverses_id, held)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
      ON CONFLICT (program_id, source_key) DO NOTHING RETURNING id""";

  /**
   * A sale or refund as the ledger records it; {@code refundKey} is a refund's identity among its
   * sale's refunds ({@code Refunds.identity}), "" for a sale.
   */
  record ConversionRow(long programId, String eventId, String kind, String transactionId, Money amount,
      String clickId, String coupon, Long affiliateId, Long campaignId, Long linkId, String status,
      String rejectReason, Instant occurredAt, Long customerId, String refundKey, String refundId, Trust trust) {
  }

  /** A new ledger entry; {@code sourceKey} is its natural key; {@code held} waits for the owner's approval. */
  record CommissionRow(long programId, String sourceKey, String kind, Long conversionId, Long leadId,
      long affiliateId, long campaignId, Money amount, CommissionStatus status, Instant dueAt, BigDecimal fxRate,
      Long reversesId, boolean held) {
  }

  /**
   * The rule and the states of a (campaign, affiliate) pair, with the program's time zone and whether
   * the campaign holds client-side conversions for approval.
   */
  record Terms(RewardRule rule, ZoneId zone, Optional<String> reject, boolean holdClientConversions,
      boolean creditBotClicks) {
  }

  /** Who a link or coupon credits, and whether it is itself active. */
  record Owner(long campaignId, long affiliateId, boolean active) {
  }

  /**
   * The new conversion's id, or null when it was recorded before. A conversion recorded rejected is
   * rewritten by a later attempt (a resend or a retry), which counts as new; if that attempt credits
   * it, its rejection is resolved.
   */
  Future<Long> insertConversion(SqlConnection tx, ConversionRow c) {
    return SetWrites.writeConversions(tx, List.of(c)).map(written -> written.get(0).id());
  }

  /** A written conversion row: its id (null if none was written) and whether a rejected row became credited. */
  record WrittenConversion(Long id, boolean recredited) {
  }

  /**
   * Records the rejection; true when it is the fact's first (a resend or retry rejected again updates
   * the reason and counts the attempt; a redelivered duplicate changes nothing).
   */
  Future<Boolean> insertRejected(SqlConnection tx, CloudEvent event, String reason) {
    JsonObject d = event.data();
    return tx.preparedQuery(INSERT_REJECTED).execute(Tuple.of(event.programId(), event.id(), event.type(),
            d.getString("transaction_id"), reason, d, utc(event.time())))
        .map(rows -> rows.size() > 0 && rows.iterator().next().getBoolean("inserted"));
  }

  /** The terms of the pair, or null when the campaign or affiliate does not exist in the program. */
  Future<Terms> terms(SqlConnection tx, long programId, long campaignId, long affiliateId) {
    return tx.preparedQuery(TERMS).execute(Tuple.of(programId, campaignId, affiliateId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      return new Terms(rule(r, "currency"), ZoneId.of(r.getString("time_zone")), Attribution.rejectTerms(
          r.getString("campaign_state"), r.getString("affiliate_state"), r.getString("enrollment_state")),
          r.getBoolean("hold_client_conversions"), r.getBoolean("credit_bot_clicks"));
    });
  }

  /** A campaign's reward rule from a row with its columns; {@code currency} names the currency column. */
  static RewardRule rule(Row r, String currency) {
    return new RewardRule(RewardType.fromWire(r.getString("reward_type")), r.getBigDecimal("commission_percent"),
        r.getLong("commission_amount_cents"), r.getString(currency), r.getInteger("cookie_window_days"),
        r.getInteger("payout_delay_days"), RewardCadence.fromWire(r.getString("reward_cadence")),
        r.getInteger("max_commission_period_months"), r.getInteger("max_commissions"), r.getLong("lead_reward_cents"));
  }

  /**
   * Whether the edge flagged the click {@code bot}; false when the click is not stored (yet): the
   * edge queues a click before the visitor can convert, on the same partition, so it is there.
   */
  Future<Boolean> botClick(SqlConnection tx, long programId, ClickId click) {
    return tx.preparedQuery(CLICK_FLAGS).execute(Tuple.of(click.value(), utc(click.issuedAt()), programId))
        .map(rows -> rows.size() > 0 && List.of(rows.iterator().next().getArrayOfStrings("flags")).contains("bot"));
  }

  Future<Owner> link(SqlConnection tx, long programId, long linkId) {
    return tx.preparedQuery(LINK).execute(Tuple.of(programId, linkId)).map(LedgerStore::owner);
  }

  Future<Owner> coupon(SqlConnection tx, long programId, String code) {
    return tx.preparedQuery(COUPON).execute(Tuple.of(programId, code)).map(LedgerStore::owner);
  }

  /** The program's currency: what an amount is read in when neither the postback nor a campaign names one. */
  Future<String> programCurrency(SqlConnection tx, long programId) {
    return tx.preparedQuery(PROGRAM_CURRENCY).execute(Tuple.of(programId))
        .map(rows -> rows.iterator().next().getString("currency"));
  }

  /** The program's rate from {@code base} to {@code quote}, or null when none is stored. */
  Future<FxRate> fxRate(SqlConnection tx, long programId, String base, String quote) {
    if (base.equals(quote)) {
      return Future.succeededFuture(FxRate.identity(base));
    }
    return tx.preparedQuery(FX_RATE).execute(Tuple.of(programId, base, quote)).map(rows -> rows.size() == 0 ? null
        : new FxRate(base, quote, rows.iterator().next().getBigDecimal("rate")));
  }

  /** The new commission's id, or null when it existed already. */
  Future<Long> insertCommission(SqlConnection tx, CommissionRow c) {
    return tx.preparedQuery(INSERT_COMMISSION).execute(commissionArgs(c)).map(LedgerStore::newId);
  }

  private static Tuple commissionArgs(CommissionRow c) {
    return Tuple.tuple().addValue(c.programId()).addValue(c.sourceKey()).addValue(c.kind())
        .addValue(c.conversionId()).addValue(c.leadId()).addValue(c.affiliateId()).addValue(c.campaignId())
        .addValue(c.amount().minor()).addValue(c.amount().currency()).addValue(c.status().wire())
        .addValue(utc(c.dueAt())).addValue(c.fxRate()).addValue(c.reversesId()).addValue(c.held());
  }

  private static Long newId(RowSet<Row> rows) {
    return rows.size() == 0 ? null : rows.iterator().next().getLong("id");
  }

  private static Owner owner(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row r = rows.iterator().next();
    return new Owner(r.getLong("campaign_id"), r.getLong("affiliate_id"), "active".equals(r.getString("state")));
  }

  static OffsetDateTime utc(Instant at) {
    return at.atOffset(ZoneOffset.UTC);
  }
}
