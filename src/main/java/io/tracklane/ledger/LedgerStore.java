package io.tracklane.ledger;

import io.tracklane.domain.RewardCadence;
import io.tracklane.domain.RewardRule;
import io.tracklane.domain.RewardType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** The ledger's writes, each idempotent by a natural key: a conflict means already done. */
final class LedgerStore {
  private static final String INSERT_CLICK = """
      INSERT INTO clicks (click_id, created_at, program_id, link_id, campaign_id, affiliate_id, sub1, sub2, sub3, sub4,
                          sub5, source, ip, user_agent, referer, creditable, flags)
      SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17
       WHERE EXISTS (SELECT 1 FROM links WHERE id = $4 AND program_id = $3)
      ON CONFLICT DO NOTHING""";
  private static final String INSERT_CONVERSION = """
      INSERT INTO conversions (program_id, event_id, kind, transaction_id, amount_minor, currency, click_id, coupon,
                               affiliate_id, campaign_id, link_id, status, reject_reason, occurred_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
      ON CONFLICT (program_id, transaction_id, kind) DO NOTHING RETURNING id""";
  private static final String INSERT_REJECTED = """
      INSERT INTO rejected_events (program_id, event_id, event_type, transaction_id, reason, payload)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (program_id, event_id) DO NOTHING""";
  private static final String RULE = """
      SELECT reward_type, commission_percent, commission_amount_cents, currency, cookie_window_days, payout_delay_days,
             reward_cadence, max_commission_period_months, max_commissions
        FROM campaigns WHERE program_id = $1 AND id = $2""";
  private static final String INSERT_COMMISSION = """
      INSERT INTO commissions (program_id, source_key, kind, conversion_id, affiliate_id, campaign_id, amount_minor,
                               currency, status, due_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9)
      ON CONFLICT (program_id, source_key) DO NOTHING RETURNING id""";
  private static final String MARK_CLICK_CONVERTED = """
      UPDATE clicks SET conversion_state = 'converted' WHERE click_id = $1 AND created_at = $2 AND program_id = $3""";
  private static final String INSERT_OUTBOX = """
      INSERT INTO outbox (program_id, event_id, payload) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING""";

  /** A sale or refund as the ledger records it. */
  record ConversionRow(long programId, String eventId, String kind, String transactionId, long amountMinor,
      String currency, String clickId, String coupon, Long affiliateId, Long campaignId, Long linkId, String status,
      String rejectReason, Instant occurredAt) {
  }

  Future<Void> insertClick(SqlConnection tx, long programId, JsonObject d, Instant at) {
    Tuple args = Tuple.tuple().addValue(d.getString("click_id")).addValue(utc(at)).addValue(programId)
        .addValue(d.getLong("link_id")).addValue(d.getLong("campaign_id")).addValue(d.getLong("affiliate_id"))
        .addValue(d.getString("sub1")).addValue(d.getString("sub2")).addValue(d.getString("sub3"))
        .addValue(d.getString("sub4")).addValue(d.getString("sub5")).addValue(d.getString("source"))
        .addValue(d.getString("ip")).addValue(d.getString("user_agent")).addValue(d.getString("referer"))
        .addValue(d.getBoolean("creditable", true))
        .addValue(d.getJsonArray("flags", new JsonArray()).stream().map(String::valueOf).toArray(String[]::new));
    return tx.preparedQuery(INSERT_CLICK).execute(args).mapEmpty();
  }

  /** The new conversion's id, or null when this (program, transaction, kind) was recorded before. */
  Future<Long> insertConversion(SqlConnection tx, ConversionRow c) {
    Tuple args = Tuple.tuple().addValue(c.programId()).addValue(c.eventId()).addValue(c.kind())
        .addValue(c.transactionId()).addValue(c.amountMinor()).addValue(c.currency()).addValue(c.clickId())
        .addValue(c.coupon()).addValue(c.affiliateId()).addValue(c.campaignId()).addValue(c.linkId())
        .addValue(c.status()).addValue(c.rejectReason()).addValue(utc(c.occurredAt()));
    return tx.preparedQuery(INSERT_CONVERSION).execute(args)
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("id"));
  }

  Future<Void> insertRejected(SqlConnection tx, long programId, String eventId, String type, String transactionId,
      String reason, JsonObject payload) {
    return tx.preparedQuery(INSERT_REJECTED)
        .execute(Tuple.of(programId, eventId, type, transactionId, reason, payload)).mapEmpty();
  }

  Future<RewardRule> rule(SqlConnection tx, long programId, long campaignId) {
    return tx.preparedQuery(RULE).execute(Tuple.of(programId, campaignId)).map(rows -> {
      Row r = rows.iterator().next();
      return new RewardRule(RewardType.fromWire(r.getString("reward_type")), r.getBigDecimal("commission_percent"),
          r.getLong("commission_amount_cents"), r.getString("currency"), r.getInteger("cookie_window_days"),
          r.getInteger("payout_delay_days"), RewardCadence.fromWire(r.getString("reward_cadence")),
          r.getInteger("max_commission_period_months"), r.getInteger("max_commissions"));
    });
  }

  /** The new commission's id, or null when it existed already. */
  Future<Long> insertCommission(SqlConnection tx, long programId, String sourceKey, String kind, long conversionId,
      long affiliateId, long campaignId, long amountMinor, String currency, Instant dueAt) {
    return tx.preparedQuery(INSERT_COMMISSION).execute(Tuple.tuple().addValue(programId).addValue(sourceKey)
            .addValue(kind).addValue(conversionId).addValue(affiliateId).addValue(campaignId).addValue(amountMinor)
            .addValue(currency).addValue(utc(dueAt)))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("id"));
  }

  Future<Void> markClickConverted(SqlConnection tx, String clickId, Instant clickTime, long programId) {
    return tx.preparedQuery(MARK_CLICK_CONVERTED).execute(Tuple.of(clickId, utc(clickTime), programId)).mapEmpty();
  }

  Future<Void> outbox(SqlConnection tx, long programId, String eventId, String payload) {
    return tx.preparedQuery(INSERT_OUTBOX).execute(Tuple.of(programId, eventId, payload)).mapEmpty();
  }

  static OffsetDateTime utc(Instant at) {
    return at.atOffset(ZoneOffset.UTC);
  }
}
