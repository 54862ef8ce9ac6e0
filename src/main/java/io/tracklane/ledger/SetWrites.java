package io.tracklane.ledger;

import static io.tracklane.ledger.LedgerStore.utc;
import static java.time.temporal.ChronoUnit.MICROS;

import io.micrometer.core.instrument.Counter;
import io.tracklane.domain.ClickId;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.ledger.LedgerStore.ConversionRow;
import io.tracklane.ledger.LedgerStore.WrittenConversion;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's set-based writes (and one read): a batch's clicks, impressions or conversions in one
 * statement each (columns as arrays, {@code unnest ... WITH ORDINALITY}), idempotent by the same natural keys
 * as {@link LedgerStore}'s, each telling by input ordinal which rows were new.
 */
final class SetWrites {
  private static final Logger LOG = LoggerFactory.getLogger(SetWrites.class);
  /**
   * A batch's clicks in one statement; the ordinals (1-based) of those that were new. The input holds
   * no key twice (the caller keeps the first of each).
   */
  private static final String INSERT_CLICKS = """
      WITH u AS (
        SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int8[], $4::int8[], $5::int8[], $6::int8[],
                             $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
                             $14::text[], $15::text[], $16::bool[], $17::text[]) WITH ORDINALITY
          AS u(click_id, created_at, program_id, link_id, campaign_id, affiliate_id, sub1, sub2, sub3, sub4, sub5,
               source, ip, user_agent, referer, creditable, flags, ord)),
      ins AS (
        INSERT INTO clicks (click_id, created_at, program_id, link_id, campaign_id, affiliate_id, sub1, sub2, sub3,
                            sub4, sub5, source, ip, user_agent, referer, creditable, flags)
        SELECT click_id, created_at, program_id, link_id, campaign_id, affiliate_id, sub1, sub2, sub3, sub4, sub5,
               source, ip, user_agent, referer, creditable,
               ARRAY(SELECT jsonb_array_elements_text(u.flags::jsonb))
          FROM u WHERE EXISTS (SELECT 1 FROM links l WHERE l.id = u.link_id AND l.program_id = u.program_id)
        ON CONFLICT DO NOTHING RETURNING click_id, created_at)
      SELECT u.ord FROM u JOIN ins ON ins.click_id = u.click_id AND ins.created_at = u.created_at""";
  /** The same-click test for many clicks at once: the ordinals of those whose stored click is another one. */
  private static final String OTHER_CLICKS = """
      SELECT u.ord FROM unnest($1::text[], $2::timestamptz[], $3::int8[], $4::text[], $5::text[], $6::text[],
                               $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
             WITH ORDINALITY AS u(click_id, created_at, link_id, ip, user_agent, referer, sub1, sub2, sub3, sub4,
                                  sub5, source, ord)
        JOIN clicks c ON c.click_id = u.click_id AND c.created_at = u.created_at
       WHERE NOT (c.link_id = u.link_id AND c.ip IS NOT DISTINCT FROM u.ip
                  AND c.user_agent IS NOT DISTINCT FROM u.user_agent AND c.referer IS NOT DISTINCT FROM u.referer
                  AND c.sub1 IS NOT DISTINCT FROM u.sub1 AND c.sub2 IS NOT DISTINCT FROM u.sub2
                  AND c.sub3 IS NOT DISTINCT FROM u.sub3 AND c.sub4 IS NOT DISTINCT FROM u.sub4
                  AND c.sub5 IS NOT DISTINCT FROM u.sub5 AND c.source IS NOT DISTINCT FROM u.source)""";
  /** A batch's impressions in one statement; the ordinals of those that were new (no key twice in the input). */
  private static final String INSERT_IMPRESSIONS = """
      WITH u AS (
        SELECT * FROM unnest($1::int8[], $2::text[], $3::int8[], $4::int8[], $5::int8[], $6::timestamptz[])
          WITH ORDINALITY AS u(program_id, event_id, link_id, campaign_id, affiliate_id, created_at, ord)),
      ins AS (
        INSERT INTO impressions (program_id, event_id, link_id, campaign_id, affiliate_id, created_at)
        SELECT program_id, event_id, link_id, campaign_id, affiliate_id, created_at FROM u
        ON CONFLICT DO NOTHING RETURNING program_id, event_id)
      SELECT u.ord FROM u JOIN ins ON ins.program_id = u.program_id AND ins.event_id = u.event_id""";
  /**
   * A conversion insert (ON CONFLICT re-writing only a rejected row) for many rows in one statement
   * (no identity twice in the input): the ordinal of each row written, its id and whether it was
   * inserted (else a rejected row rewritten).
   */
  private static final String INSERT_CONVERSIONS = """
      WITH u AS (
        SELECT * FROM unnest($1::int8[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[],
                             $8::text[], $9::int8[], $10::int8[], $11::int8[], $12::text[], $13::text[],
                             $14::timestamptz[], $15::int8[], $16::text[], $17::text[], $18::text[]) WITH ORDINALITY
          AS u(program_id, event_id, kind, transaction_id, amount_minor, currency, click_id, coupon, affiliate_id,
               campaign_id, link_id, status, reject_reason, occurred_at, customer_id, refund_key, refund_id, trust,
               ord)),
      ins AS (
        INSERT INTO conversions (program_id, event_id, kind, transaction_id, amount_minor, currency, click_id, coupon,
                                 affiliate_id, campaign_id, link_id, status, reject_reason, occurred_at, customer_id,
                                 refund_key, refund_id, trust)
        SELECT program_id, event_id, kind, transaction_id, amount_minor, currency, click_id, coupon, affiliate_id,
               campaign_id, link_id, status, reject_reason, occurred_at, customer_id, refund_key, refund_id, trust
          FROM u ORDER BY ord
        ON CONFLICT (program_id, transaction_id, kind, refund_key) DO UPDATE
          SET event_id = EXCLUDED.event_id, amount_minor = EXCLUDED.amount_minor, currency = EXCLUDED.currency,
              click_id = EXCLUDED.click_id, coupon = EXCLUDED.coupon, affiliate_id = EXCLUDED.affiliate_id,
              campaign_id = EXCLUDED.campaign_id, link_id = EXCLUDED.link_id, status = EXCLUDED.status,
              reject_reason = EXCLUDED.reject_reason, customer_id = EXCLUDED.customer_id,
              refund_id = EXCLUDED.refund_id, trust = EXCLUDED.trust
          WHERE conversions.status = 'rejected'
        RETURNING id, xmax = 0 AS inserted, program_id, transaction_id, kind, refund_key)
      SELECT u.ord, ins.id, ins.inserted FROM u
        JOIN ins ON ins.program_id = u.program_id AND ins.transaction_id = u.transaction_id AND ins.kind = u.kind
                AND ins.refund_key = u.refund_key""";

  /** Whether the edge flagged each click bot, found like {@link LedgerStore#botClick} finds one. */
  private static final String BOT_CLICKS = """
      SELECT u.ord, bool_or('bot' = ANY(c.flags)) AS bot
        FROM unnest($1::text[], $2::timestamptz[], $3::int8[]) WITH ORDINALITY AS u(click_id, at, program_id, ord)
        JOIN clicks c ON c.click_id = u.click_id AND c.created_at >= u.at AND c.created_at < u.at + interval '1 second'
                     AND c.program_id = u.program_id
       GROUP BY u.ord""";

  private final Counter clickIdCollisions;

  SetWrites(Counter clickIdCollisions) {
    this.clickIdCollisions = clickIdCollisions;
  }

  /**
   * Stores a batch's clicks once each, in one statement, and says per click whether it is new. A
   * conflict on an id (a redelivery, the same id twice in the batch, a stored click) is a redelivery
   * when the stored click is the same one; when it differs, two clicks got one id (see the bound in
   * docs/edge.md): the second is not stored, but counted in tracklane_click_id_collisions_total and
   * logged, never silently. All conflicts of the batch are checked with one more statement.
   */
  Future<boolean[]> insertClicks(SqlConnection tx, List<CloudEvent> clicks) {
    boolean[] isNew = new boolean[clicks.size()];
    if (clicks.isEmpty()) {
      return Future.succeededFuture(isNew);
    }
    List<Integer> firsts = firsts(clicks, e -> e.data().getString("click_id") + "@" + e.time().truncatedTo(MICROS));
    List<CloudEvent> rows = pick(clicks, firsts);
    Tuple args = Tuple.tuple().addValue(strings(rows, "click_id")).addValue(times(rows, CloudEvent::time))
        .addValue(longs(rows, CloudEvent::programId)).addValue(numbers(rows, "link_id"))
        .addValue(numbers(rows, "campaign_id")).addValue(numbers(rows, "affiliate_id"))
        .addValue(strings(rows, "sub1")).addValue(strings(rows, "sub2")).addValue(strings(rows, "sub3"))
        .addValue(strings(rows, "sub4")).addValue(strings(rows, "sub5")).addValue(strings(rows, "source"))
        .addValue(strings(rows, "ip")).addValue(strings(rows, "user_agent")).addValue(strings(rows, "referer"))
        .addValue(rows.stream().map(e -> e.data().getBoolean("creditable", true)).toArray(Boolean[]::new))
        .addValue(texts(rows, e -> new JsonArray(e.data().getJsonArray("flags", new JsonArray()).stream()
            .map(String::valueOf).toList()).encode()));
    return tx.preparedQuery(INSERT_CLICKS).execute(args).compose(inserted -> {
      inserted.forEach(r -> isNew[firsts.get(r.getInteger("ord") - 1)] = true);
      List<CloudEvent> conflicts = new ArrayList<>();
      for (int i = 0; i < isNew.length; i++) {
        if (!isNew[i]) {
          conflicts.add(clicks.get(i));
        }
      }
      return checkCollisions(tx, conflicts).map(isNew);
    });
  }

  /** Whether each impression is new (its id was not recorded before), all stored with one statement. */
  Future<boolean[]> insertImpressions(SqlConnection tx, List<CloudEvent> impressions) {
    boolean[] isNew = new boolean[impressions.size()];
    if (impressions.isEmpty()) {
      return Future.succeededFuture(isNew);
    }
    List<Integer> firsts = firsts(impressions, e -> e.programId() + ":" + e.id());
    List<CloudEvent> rows = pick(impressions, firsts);
    Tuple args = Tuple.of(longs(rows, CloudEvent::programId), texts(rows, CloudEvent::id), numbers(rows, "link_id"),
        numbers(rows, "campaign_id"), numbers(rows, "affiliate_id"), times(rows, CloudEvent::time));
    return tx.preparedQuery(INSERT_IMPRESSIONS).execute(args).map(inserted -> {
      inserted.forEach(r -> isNew[firsts.get(r.getInteger("ord") - 1)] = true);
      return isNew;
    });
  }

  /** Counts and logs, in one statement, the clicks whose id is stored for another click. */
  private Future<Void> checkCollisions(SqlConnection tx, List<CloudEvent> clicks) {
    if (clicks.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple args = Tuple.tuple().addValue(strings(clicks, "click_id")).addValue(times(clicks, CloudEvent::time))
        .addValue(numbers(clicks, "link_id")).addValue(strings(clicks, "ip"))
        .addValue(strings(clicks, "user_agent")).addValue(strings(clicks, "referer"))
        .addValue(strings(clicks, "sub1")).addValue(strings(clicks, "sub2")).addValue(strings(clicks, "sub3"))
        .addValue(strings(clicks, "sub4")).addValue(strings(clicks, "sub5")).addValue(strings(clicks, "source"));
    return tx.preparedQuery(OTHER_CLICKS).execute(args).map(others -> {
      for (Row r : others) {
        JsonObject d = clicks.get(r.getInteger("ord") - 1).data();
        clickIdCollisions.increment();
        LOG.warn("click id {} issued twice: the second click (link {}, sub1 {}) was not stored",
            d.getString("click_id"), d.getLong("link_id"), d.getString("sub1"));
      }
      return null;
    });
  }

  /**
   * Writes conversions, many rows with one statement (and one more resolving the rejections of
   * rejected rows now credited), in input order: each one's id, or null when it was recorded before.
   * A conversion recorded rejected is rewritten by a later attempt (a resend or a retry), which
   * counts as written; if that attempt credits it, its rejection is resolved. Of rows with one
   * identity (program, transaction, kind, refund key) only the first is written; the later ones are
   * as if already recorded.
   */
  static Future<List<WrittenConversion>> writeConversions(SqlConnection tx, List<ConversionRow> rows) {
    List<WrittenConversion> written = new ArrayList<>(Collections.nCopies(rows.size(), new WrittenConversion(null,
        false)));
    if (rows.isEmpty()) {
      return Future.succeededFuture(written);
    }
    List<Integer> firsts = firsts(rows, c -> c.programId() + ":" + c.transactionId() + ":" + c.kind() + ":"
        + c.refundKey());
    List<ConversionRow> in = pick(rows, firsts);
    Tuple args = Tuple.tuple().addValue(longs(in, ConversionRow::programId)).addValue(texts(in, ConversionRow::eventId))
        .addValue(texts(in, ConversionRow::kind)).addValue(texts(in, ConversionRow::transactionId))
        .addValue(longs(in, c -> c.amount().minor())).addValue(texts(in, c -> c.amount().currency()))
        .addValue(texts(in, ConversionRow::clickId)).addValue(texts(in, ConversionRow::coupon))
        .addValue(longs(in, ConversionRow::affiliateId)).addValue(longs(in, ConversionRow::campaignId))
        .addValue(longs(in, ConversionRow::linkId)).addValue(texts(in, ConversionRow::status))
        .addValue(texts(in, ConversionRow::rejectReason)).addValue(times(in, ConversionRow::occurredAt))
        .addValue(longs(in, ConversionRow::customerId)).addValue(texts(in, ConversionRow::refundKey))
        .addValue(texts(in, ConversionRow::refundId)).addValue(texts(in, c -> c.trust().wire()));
    return tx.preparedQuery(INSERT_CONVERSIONS).execute(args).compose(result -> {
      List<Tuple> resolve = new ArrayList<>();
      for (Row r : result) {
        int i = firsts.get(r.getInteger("ord") - 1);
        ConversionRow c = rows.get(i);
        boolean recredited = "credited".equals(c.status()) && !r.getBoolean("inserted");
        written.set(i, new WrittenConversion(r.getLong("id"), recredited));
        if (recredited) {
          resolve.add(Tuple.of(c.programId(), c.eventId()));
        }
      }
      return resolve.isEmpty() ? Future.succeededFuture(written)
          : tx.preparedQuery(LedgerStore.RESOLVE).executeBatch(resolve).map(written);
    });
  }

  /**
   * Whether the edge flagged each click {@code bot} (false when it is not stored), read with one
   * statement; {@code programIds} pairs with {@code clicks}.
   */
  static Future<boolean[]> botClicks(SqlConnection tx, List<Long> programIds, List<ClickId> clicks) {
    boolean[] bot = new boolean[clicks.size()];
    if (clicks.isEmpty()) {
      return Future.succeededFuture(bot);
    }
    Tuple args = Tuple.of(texts(clicks, ClickId::value), times(clicks, ClickId::issuedAt),
        programIds.toArray(Long[]::new));
    return tx.preparedQuery(BOT_CLICKS).execute(args).map(rows -> {
      rows.forEach(r -> bot[r.getInteger("ord") - 1] = r.getBoolean("bot"));
      return bot;
    });
  }

  /** The indexes of the first item of each key, in order. */
  private static <T> List<Integer> firsts(List<T> items, Function<T, String> key) {
    Set<String> seen = new HashSet<>();
    List<Integer> firsts = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      if (seen.add(key.apply(items.get(i)))) {
        firsts.add(i);
      }
    }
    return firsts;
  }

  private static <T> List<T> pick(List<T> items, List<Integer> indexes) {
    return indexes.size() == items.size() ? items : indexes.stream().map(items::get).toList();
  }

  private static String[] strings(List<CloudEvent> facts, String field) {
    return texts(facts, e -> e.data().getString(field));
  }

  private static Long[] numbers(List<CloudEvent> facts, String field) {
    return longs(facts, e -> e.data().getLong(field));
  }

  private static <T> String[] texts(List<T> rows, Function<T, String> column) {
    return rows.stream().map(column).toArray(String[]::new);
  }

  private static <T> Long[] longs(List<T> rows, Function<T, Long> column) {
    return rows.stream().map(column).toArray(Long[]::new);
  }

  private static <T> OffsetDateTime[] times(List<T> rows, Function<T, Instant> column) {
    return rows.stream().map(r -> utc(column.apply(r))).toArray(OffsetDateTime[]::new);
  }
}
