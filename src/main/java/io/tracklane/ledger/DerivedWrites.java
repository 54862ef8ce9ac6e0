package io.tracklane.ledger;

import static io.tracklane.ledger.LedgerStore.utc;

import io.tracklane.ledger.LedgerStore.CommissionRow;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a batch derives, written before its commit with one statement per table (columns as arrays,
 * {@code unnest}): its new commissions and the marks on the clicks its leads and sales came
 * through. Each gives what writing the rows one by one, in order, gives.
 */
final class DerivedWrites {
  /**
   * A click id carries its issue time in whole seconds while the row keeps the edge's full time:
   * the second it falls in finds it (and its partition).
   */
  private static final String MARK_CLICKS = """
      UPDATE clicks c SET conversion_state = u.state
        FROM unnest($1::text[], $2::timestamptz[], $3::int8[], $4::text[]) AS u(click_id, at, program_id, state)
       WHERE c.click_id = u.click_id AND c.created_at >= u.at AND c.created_at < u.at + interval '1 second'
         AND c.program_id = u.program_id AND c.conversion_state <> 'converted'""";
  /** Many commissions in one statement, in input order (no source key twice): the ordinal and id of each new one. */
  private static final String INSERT_COMMISSIONS = """
      WITH u AS (
        SELECT * FROM unnest($1::int8[], $2::text[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::int8[],
                             $8::int8[], $9::text[], $10::text[], $11::timestamptz[], $12::text[], $13::int8[],
                             $14::bool[]) WITH ORDINALITY
          AS u(program_id, source_key, kind, conversion_id, lead_id, affiliate_id, campaign_id, amount_minor, currency,
               status, due_at, fx_rate, reverses_id, held, ord)),
      ins AS (
        INSERT INTO commissions (program_id, source_key, kind, conversion_id, lead_id, affiliate_id, campaign_id,
                                 amount_minor, currency, status, due_at, fx_rate, reverses_id, held)
        SELECT program_id, source_key, kind, conversion_id, lead_id, affiliate_id, campaign_id, amount_minor, currency,
               status, due_at, fx_rate::numeric, reverses_id, held
          FROM u ORDER BY ord
        ON CONFLICT (program_id, source_key) DO NOTHING RETURNING id, program_id, source_key)
      SELECT u.ord, ins.id FROM u JOIN ins ON ins.program_id = u.program_id AND ins.source_key = u.source_key""";

  private DerivedWrites() {
  }

  /** A click a lead or sale came through, to be marked {@code lead} or {@code converted}. */
  record ClickMark(String clickId, Instant clickTime, long programId, String state) {
  }

  /**
   * Marks the batch's clicks with one statement; a converted click is never downgraded, so of several
   * marks of one click the result is {@code converted} if any of them is, else {@code lead}, whatever
   * their order (as marking them one by one would leave it).
   */
  static Future<Void> markClicks(SqlConnection tx, List<ClickMark> marks) {
    if (marks.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, ClickMark> byClick = new LinkedHashMap<>();
    for (ClickMark m : marks) {
      byClick.merge(m.programId() + "|" + m.clickId() + "|" + m.clickTime(), m,
          (a, b) -> "converted".equals(a.state()) ? a : b);
    }
    List<ClickMark> in = new ArrayList<>(byClick.values());
    Tuple args = Tuple.of(in.stream().map(ClickMark::clickId).toArray(String[]::new),
        in.stream().map(m -> utc(m.clickTime())).toArray(OffsetDateTime[]::new),
        in.stream().map(ClickMark::programId).toArray(Long[]::new),
        in.stream().map(ClickMark::state).toArray(String[]::new));
    return tx.preparedQuery(MARK_CLICKS).execute(args).mapEmpty();
  }

  /**
   * Inserts many commissions with one statement, in order; each one's new id, or null where it
   * existed (or, of rows with one source key, for all but the first: as one by one).
   */
  static Future<List<Long>> insertCommissions(SqlConnection tx, List<CommissionRow> rows) {
    List<Long> ids = new ArrayList<>(Collections.nCopies(rows.size(), (Long) null));
    if (rows.isEmpty()) {
      return Future.succeededFuture(ids);
    }
    Set<String> seen = new HashSet<>();
    List<Integer> firsts = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      if (seen.add(rows.get(i).programId() + "|" + rows.get(i).sourceKey())) {
        firsts.add(i);
      }
    }
    List<CommissionRow> in = firsts.stream().map(rows::get).toList();
    Tuple args = Tuple.tuple().addValue(in.stream().map(CommissionRow::programId).toArray(Long[]::new))
        .addValue(in.stream().map(CommissionRow::sourceKey).toArray(String[]::new))
        .addValue(in.stream().map(CommissionRow::kind).toArray(String[]::new))
        .addValue(in.stream().map(CommissionRow::conversionId).toArray(Long[]::new))
        .addValue(in.stream().map(CommissionRow::leadId).toArray(Long[]::new))
        .addValue(in.stream().map(CommissionRow::affiliateId).toArray(Long[]::new))
        .addValue(in.stream().map(CommissionRow::campaignId).toArray(Long[]::new))
        .addValue(in.stream().map(c -> c.amount().minor()).toArray(Long[]::new))
        .addValue(in.stream().map(c -> c.amount().currency()).toArray(String[]::new))
        .addValue(in.stream().map(c -> c.status().wire()).toArray(String[]::new))
        .addValue(in.stream().map(c -> utc(c.dueAt())).toArray(OffsetDateTime[]::new))
        .addValue(in.stream().map(c -> c.fxRate() == null ? null : c.fxRate().toPlainString()).toArray(String[]::new))
        .addValue(in.stream().map(CommissionRow::reversesId).toArray(Long[]::new))
        .addValue(in.stream().map(CommissionRow::held).toArray(Boolean[]::new));
    return tx.preparedQuery(INSERT_COMMISSIONS).execute(args).map(result -> {
      for (Row r : result) {
        ids.set(firsts.get(r.getInteger("ord") - 1), r.getLong("id"));
      }
      return ids;
    });
  }
}
