package io.tracklane.stats;

import io.tracklane.domain.InvalidInput;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Reads the rollups (never the facts): the measures of a program's facts in [from, to), optionally
 * one affiliate's, filtered and grouped by one dimension. Both instants must fall on a quarter hour
 * (every start of a day or month in a real time zone does); days and months are cut in {@code zone}.
 * Rows come sorted by key (time keys in time order; the null key first).
 */
public final class StatsQuery {
  /** The rollups' bucket width: every real UTC offset is a whole number of these (docs/analytics.md). */
  public static final long BUCKET_SECONDS = 15 * 60;

  private static final String SELECT = """
      SELECT %s AS key, currency,
             sum(clicks)::bigint AS clicks, sum(unique_clicks)::bigint AS unique_clicks,
             sum(bot_clicks)::bigint AS bot_clicks, sum(duplicate_clicks)::bigint AS duplicate_clicks,
             sum(impressions)::bigint AS impressions, sum(leads)::bigint AS leads,
             sum(conversions)::bigint AS conversions, sum(refunds)::bigint AS refunds,
             sum(revenue_minor)::bigint AS revenue, sum(refunded_minor)::bigint AS refunded,
             sum(commission_pending_minor)::bigint AS c_pending, sum(commission_due_minor)::bigint AS c_due,
             sum(commission_paid_minor)::bigint AS c_paid, sum(commission_voided_minor)::bigint AS c_voided
        FROM stats_rollups
       WHERE program_id = $1 AND bucket >= $2 AND bucket < $3 AND $4::text IS NOT NULL
         AND ($5::bigint IS NULL OR campaign_id = $5) AND ($6::bigint IS NULL OR affiliate_id = $6)
         AND ($7::bigint IS NULL OR link_id = $7) AND ($8::text IS NULL OR source = $8)
         AND ($9::text IS NULL OR sub1 = $9) AND ($10::text IS NULL OR sub2 = $10)
         AND ($11::text IS NULL OR sub3 = $11) AND ($12::text IS NULL OR sub4 = $12)
         AND ($13::text IS NULL OR sub5 = $13) AND ($14::text IS NULL OR device = $14)
       GROUP BY 1, 2""";
  private static final String FIRST = """
      SELECT min(bucket) AS first FROM stats_rollups WHERE program_id = $1 AND ($2::bigint IS NULL OR affiliate_id = $2)""";

  private final Pool pool;

  public StatsQuery(Pool pool) {
    this.pool = pool;
  }

  /**
   * The measures of program {@code programId} in [from, to), grouped by {@code groupBy}.
   *
   * @param affiliateId null for the whole program, else only this affiliate's facts
   * @param filter equality filters (use {@link StatsFilter#NONE} for none)
   * @param zone the time zone days and months are cut in (only matters for time groupings)
   */
  public Future<List<StatsRow>> query(long programId, Long affiliateId, StatsFilter filter, Dimension groupBy,
      Instant from, Instant to, ZoneId zone) {
    checkQuarter("from", from);
    checkQuarter("to", to);
    if (!to.isAfter(from)) {
      return Future.succeededFuture(groupBy == Dimension.TOTAL ? List.of(new StatsRow(null, Measures.ZERO)) : List.of());
    }
    Long affiliate = affiliateId;
    if (filter.affiliateId() != null) {
      if (affiliateId != null && !affiliateId.equals(filter.affiliateId())) {
        return Future.succeededFuture(groupBy == Dimension.TOTAL ? List.of(new StatsRow(null, Measures.ZERO))
            : List.of());
      }
      affiliate = filter.affiliateId();
    }
    String key = groupBy == Dimension.TOTAL ? "NULL::text" : groupBy.sql();
    Tuple args = Tuple.tuple().addValue(programId).addValue(utc(from)).addValue(utc(to)).addValue(zone.getId())
        .addValue(filter.campaignId()).addValue(affiliate).addValue(filter.linkId()).addValue(filter.source())
        .addValue(filter.sub1()).addValue(filter.sub2()).addValue(filter.sub3()).addValue(filter.sub4())
        .addValue(filter.sub5()).addValue(filter.device());
    return pool.preparedQuery(SELECT.formatted(key)).execute(args).map(rows -> {
      Map<String, Acc> groups = new LinkedHashMap<>();
      for (Row r : rows) {
        String k = r.getString("key");
        if (k != null && (k.isEmpty() || (groupBy.isId() && "0".equals(k)))) {
          k = null;
        }
        groups.computeIfAbsent(k, x -> new Acc()).add(r);
      }
      if (groupBy == Dimension.TOTAL && groups.isEmpty()) {
        groups.put(null, new Acc());
      }
      List<StatsRow> out = new ArrayList<>(groups.size());
      groups.forEach((k, acc) -> out.add(new StatsRow(k, acc.measures())));
      Comparator<String> byKey = groupBy.isId()
          ? Comparator.comparing(Long::valueOf) : Comparator.naturalOrder();
      out.sort(Comparator.comparing(StatsRow::key, Comparator.nullsFirst(byKey)));
      return out;
    });
  }

  /** The one row of measures over everything selected (TOTAL). */
  public Future<Measures> totals(long programId, Long affiliateId, StatsFilter filter, Instant from, Instant to) {
    return query(programId, affiliateId, filter, Dimension.TOTAL, from, to, ZoneOffset.UTC)
        .map(rows -> rows.get(0).measures());
  }

  /** The start of the first bucket with any fact of the program (or affiliate); null when none. */
  public Future<Instant> firstFact(long programId, Long affiliateId) {
    return pool.preparedQuery(FIRST).execute(Tuple.of(programId, affiliateId)).map(rows -> {
      OffsetDateTime first = rows.iterator().next().getOffsetDateTime("first");
      return first == null ? null : first.toInstant();
    });
  }

  /** The start of the bucket {@code at} falls in. */
  public static Instant bucketOf(Instant at) {
    long s = Math.floorDiv(at.getEpochSecond(), BUCKET_SECONDS) * BUCKET_SECONDS;
    return Instant.ofEpochSecond(s);
  }

  private static void checkQuarter(String name, Instant at) {
    Objects.requireNonNull(at, name);
    if (at.getNano() != 0 || at.getEpochSecond() % BUCKET_SECONDS != 0) {
      throw new InvalidInput(name, "must fall on a quarter hour (UTC offsets are whole quarter hours)");
    }
  }

  private static OffsetDateTime utc(Instant at) {
    return at.atOffset(ZoneOffset.UTC);
  }

  /** Sums the currency rows of one group. */
  private static final class Acc {
    long clicks;
    long unique;
    long bots;
    long duplicates;
    long impressions;
    long leads;
    long conversions;
    long refunds;
    final Map<String, Amounts> money = new TreeMap<>();

    void add(Row r) {
      clicks += r.getLong("clicks");
      unique += r.getLong("unique_clicks");
      bots += r.getLong("bot_clicks");
      duplicates += r.getLong("duplicate_clicks");
      impressions += r.getLong("impressions");
      leads += r.getLong("leads");
      conversions += r.getLong("conversions");
      refunds += r.getLong("refunds");
      String currency = r.getString("currency");
      if (!currency.isEmpty()) {
        Amounts a = new Amounts(currency, r.getLong("revenue"), r.getLong("refunded"), r.getLong("c_pending"),
            r.getLong("c_due"), r.getLong("c_paid"), r.getLong("c_voided"));
        money.merge(currency, a, Amounts::plus);
      }
    }

    Measures measures() {
      return new Measures(clicks, unique, bots, duplicates, impressions, leads, conversions, refunds,
          List.copyOf(money.values()));
    }
  }
}
