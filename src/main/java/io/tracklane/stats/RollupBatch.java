package io.tracklane.stats;

import io.tracklane.domain.Money;
import io.tracklane.domain.UserAgents;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rollup changes of one ledger transaction, summed in memory: the ledger reports each fact its
 * idempotent writes found new, and {@link #write} upserts one row per (bucket, dimensions, currency)
 * touched, in one statement, before the commit. A redelivered or replayed fact is not new, so it is
 * never reported, and the figures do not move.
 *
 * <p>Leads, sales, refunds and commissions count under the dimensions of the click that brought them
 * (source, subs, device), found in {@link #resolve} after the batch's clicks are written: from the
 * batch's own new clicks, then from {@link ClickDims} (the clicks this ledger wrote in earlier,
 * committed batches), and only the rest by one query; without a click (a coupon, or a click the
 * ledger has not seen) those are empty. Each new commission's cell is kept in
 * stats_commission_cells, so a later status change (trigger stats_commission_moved) or a refund's
 * reversal entry moves money within the same row. The cells are written with the upsert, in one
 * statement, unless {@link #cellsBeforeStatusChanges} wrote them earlier: whatever changes a
 * commission's status or reverses it in the ledger's transaction calls that first.
 */
public final class RollupBatch {
  static final int CLICKS = 0;
  static final int UNIQUE = 1;
  static final int BOTS = 2;
  static final int DUPLICATES = 3;
  static final int IMPRESSIONS = 4;
  static final int LEADS = 5;
  static final int CONVERSIONS = 6;
  static final int REFUNDS = 7;
  static final int REVENUE = 8;
  static final int REFUNDED = 9;
  static final int C_PENDING = 10;
  static final int C_DUE = 11;
  static final int C_PAID = 12;
  static final int C_VOIDED = 13;
  static final int MEASURES = 14;
  static final String[] COLUMNS = {"clicks", "unique_clicks", "bot_clicks", "duplicate_clicks", "impressions",
      "leads", "conversions", "refunds", "revenue_minor", "refunded_minor", "commission_pending_minor",
      "commission_due_minor", "commission_paid_minor", "commission_voided_minor"};

  private static final int UPSERT_PARAMS = 13 + MEASURES;
  private static final String UPSERT = upsert();
  private static final String CELLS = CommissionCells.insert(1);
  /** The cells insert, then the upsert: one statement, run in that order. */
  private static final String CELLS_AND_UPSERT = "WITH cells AS (" + CommissionCells.insert(UPSERT_PARAMS + 1)
      + ")\n" + UPSERT;

  /** The click a conversion came through; {@code issuedAt} (whole second) finds its partition, null: search all. */
  public record ClickRef(String clickId, Instant issuedAt) {
  }

  /** Where a lead, sale, refund or commission counts: its time, credit, and the click that brought it. */
  public static final class Origin {
    final long programId;
    final Instant at;
    final long campaignId;
    final long affiliateId;
    final long linkId;
    final ClickRef click;
    Dims dims;

    Origin(long programId, Instant at, Long campaignId, Long affiliateId, Long linkId, ClickRef click) {
      this.programId = programId;
      this.at = at;
      this.campaignId = campaignId == null ? 0 : campaignId;
      this.affiliateId = affiliateId == null ? 0 : affiliateId;
      this.linkId = linkId == null ? 0 : linkId;
      this.click = click == null || click.clickId() == null ? null : click;
    }
  }

  record Dims(String source, String sub1, String sub2, String sub3, String sub4, String sub5, String device) {
    static final Dims NONE = new Dims("", "", "", "", "", "", "");

    /** A click's dimensions: absent ones as '', the device from the user agent, or "bot". */
    static Dims of(String source, String sub1, String sub2, String sub3, String sub4, String sub5, String userAgent,
        boolean bot) {
      return new Dims(n(source), n(sub1), n(sub2), n(sub3), n(sub4), n(sub5),
          bot ? "bot" : UserAgents.deviceClass(userAgent));
    }
  }

  record Key(long programId, Instant bucket, long campaignId, long affiliateId, long linkId, Dims dims,
      String currency) {
  }

  private record Entry(Origin origin, String currency, int measure, long amount, Long commissionId) {
  }

  private static final Comparator<Key> ORDER = Comparator.comparingLong(Key::programId)
      .thenComparing(Key::bucket).thenComparingLong(Key::campaignId).thenComparingLong(Key::affiliateId)
      .thenComparingLong(Key::linkId).thenComparing(k -> k.dims().source()).thenComparing(k -> k.dims().sub1())
      .thenComparing(k -> k.dims().sub2()).thenComparing(k -> k.dims().sub3()).thenComparing(k -> k.dims().sub4())
      .thenComparing(k -> k.dims().sub5()).thenComparing(k -> k.dims().device()).thenComparing(Key::currency);

  private final boolean off;
  private final ClickDims clicks;
  private final Map<Key, long[]> sums = new LinkedHashMap<>();
  private final List<Entry> waiting = new ArrayList<>();
  /** New commissions whose cells are not written yet. */
  private final CommissionCells cells = new CommissionCells();
  /** The dimensions of the batch's new clicks: remembered in {@link #clicks} once the batch commits. */
  private final Map<ClickDims.Id, ClickDims.Click> fresh = new HashMap<>();
  private final Set<Long> programs = new TreeSet<>();

  /** A batch that keeps the rollups and remembers no clicks beyond itself. */
  public RollupBatch() {
    this(false, new ClickDims(0));
  }

  /** A batch that keeps the rollups, finding clicks in (and adding its new clicks to) {@code clicks}. */
  public RollupBatch(ClickDims clicks) {
    this(false, clicks);
  }

  private RollupBatch(boolean off, ClickDims clicks) {
    this.off = off;
    this.clicks = clicks;
  }

  /** A batch that writes no rollups: only for the benchmark that measures what they cost. */
  public static RollupBatch disabled() {
    return new RollupBatch(true, new ClickDims(0));
  }

  /** Programs whose figures this batch changed (their cache versions are bumped after the commit). */
  public Set<Long> programs() {
    return programs;
  }

  public boolean isEmpty() {
    return sums.isEmpty() && waiting.isEmpty() && cells.isEmpty();
  }

  /** A new click; {@code flags} as the edge set them (bot, duplicate). */
  public void click(long programId, Instant at, long campaignId, long affiliateId, long linkId, String source,
      String sub1, String sub2, String sub3, String sub4, String sub5, String userAgent, List<String> flags) {
    click(null, programId, at, campaignId, affiliateId, linkId, source, sub1, sub2, sub3, sub4, sub5, userAgent,
        flags);
  }

  /**
   * A new click, by its id: a conversion through it, later in this batch or in a later batch of the
   * same {@link ClickDims}, finds its dimensions without a query.
   */
  public void click(String clickId, long programId, Instant at, long campaignId, long affiliateId, long linkId,
      String source, String sub1, String sub2, String sub3, String sub4, String sub5, String userAgent,
      List<String> flags) {
    if (off) {
      return;
    }
    boolean bot = flags.contains("bot");
    boolean duplicate = flags.contains("duplicate");
    Dims dims = Dims.of(source, sub1, sub2, sub3, sub4, sub5, userAgent, bot);
    long[] s = sum(new Key(programId, StatsQuery.bucketOf(at), campaignId, affiliateId, linkId, dims, ""));
    s[CLICKS]++;
    if (!duplicate) {
      s[UNIQUE]++;
    }
    if (bot) {
      s[BOTS]++;
    }
    if (duplicate) {
      s[DUPLICATES]++;
    }
    if (clickId != null) {
      fresh.put(new ClickDims.Id(programId, clickId), new ClickDims.Click(at, dims));
    }
  }

  /** A new impression of a link. */
  public void impression(long programId, Instant at, Long campaignId, Long affiliateId, Long linkId) {
    if (off) {
      return;
    }
    Origin o = new Origin(programId, at, campaignId, affiliateId, linkId, null);
    sum(key(o, Dims.NONE, ""))[IMPRESSIONS]++;
  }

  /** Where the facts of a credit count. */
  public static Origin origin(long programId, Instant at, Long campaignId, Long affiliateId, Long linkId,
      ClickRef click) {
    return new Origin(programId, at, campaignId, affiliateId, linkId, click);
  }

  public void lead(Origin origin) {
    add(origin, "", LEADS, 1, null);
  }

  public void sale(Origin origin, Money amount) {
    add(origin, amount.currency(), CONVERSIONS, 1, null);
    add(origin, amount.currency(), REVENUE, amount.minor(), null);
  }

  /** A credited refund: counted, and taken off revenue, when it happened. */
  public void refund(Origin origin, Money amount) {
    add(origin, amount.currency(), REFUNDS, 1, null);
    add(origin, amount.currency(), REFUNDED, amount.minor(), null);
    add(origin, amount.currency(), REVENUE, -amount.minor(), null);
  }

  /** A new commission with its status at creation; its cell is recorded for later status moves. */
  public void commission(Origin origin, long commissionId, Money amount, String status) {
    int measure = switch (status) {
      case "pending" -> C_PENDING;
      case "due" -> C_DUE;
      case "paid" -> C_PAID;
      case "voided" -> C_VOIDED;
      default -> throw new IllegalArgumentException("commission status " + status);
    };
    add(origin, amount.currency(), measure, amount.minor(), commissionId);
  }

  private void add(Origin origin, String currency, int measure, long amount, Long commissionId) {
    if (off) {
      return;
    }
    waiting.add(new Entry(origin, currency, measure, amount, commissionId));
  }

  /**
   * Finds the clicks of the waiting entries (in this batch's new clicks, in {@link ClickDims}, and
   * the rest by one query) and sums them in; the cells of new commissions wait for {@link #write}
   * or {@link #cellsBeforeStatusChanges}.
   */
  public Future<Void> resolve(SqlConnection tx) {
    if (waiting.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Entry> entries = new ArrayList<>(waiting);
    waiting.clear();
    List<Origin> unresolved = new ArrayList<>();
    Map<Origin, Boolean> seen = new HashMap<>();
    for (Entry e : entries) {
      if (e.origin.dims == null && seen.put(e.origin, Boolean.TRUE) == null) {
        if (e.origin.click == null) {
          e.origin.dims = Dims.NONE;
        } else {
          e.origin.dims = known(e.origin);
          if (e.origin.dims == null) {
            unresolved.add(e.origin);
          }
        }
      }
    }
    Future<Void> looked = unresolved.isEmpty() ? Future.succeededFuture() : ClickDims.lookup(tx, unresolved);
    return looked.map(v -> {
      for (Entry e : entries) {
        sum(key(e.origin, e.origin.dims, e.currency))[e.measure] += e.amount;
        if (e.commissionId != null) {
          cells.add(e.commissionId, e.origin, e.currency);
        }
      }
      return null;
    });
  }

  /**
   * Writes the cells of the new commissions now: call before anything in the same transaction
   * updates a commission's status or amount or inserts a reversal of it (the triggers read the
   * cells). Nothing to do when the batch has none waiting.
   */
  public Future<Void> cellsBeforeStatusChanges(SqlConnection tx) {
    boolean unresolved = waiting.stream().anyMatch(e -> e.commissionId != null);
    return (unresolved ? resolve(tx) : Future.<Void>succeededFuture()).compose(v -> {
      if (cells.isEmpty()) {
        return Future.succeededFuture();
      }
      return tx.preparedQuery(CELLS).execute(cells.drainInto(Tuple.tuple())).mapEmpty();
    });
  }

  /** The dimensions of a click this batch wrote or the ledger remembers; null: to be looked up. */
  private Dims known(Origin o) {
    ClickDims.Id id = new ClickDims.Id(o.programId, o.click.clickId());
    ClickDims.Click c = fresh.get(id);
    if (c == null) {
      c = clicks.get(id);
    }
    // As the query: a click id names its issue second, and only a click created in it is that click.
    return c == null || !c.issuedIn(o.click.issuedAt()) ? null : c.dims();
  }

  /**
   * Resolves what waits, then upserts every touched row, with the cells of new commissions, in one
   * statement. After the commit, the batch's new clicks are remembered in {@link ClickDims}.
   */
  public Future<Void> write(SqlConnection tx) {
    return resolve(tx).compose(v -> {
      remember(tx);
      if (sums.isEmpty()) {
        return Future.succeededFuture();
      }
      int n = sums.size();
      CellArrays rows = new CellArrays(n);
      Long[][] measures = new Long[MEASURES][n];
      // In one order for every transaction, so two ledger instances touching the same rows queue
      // behind each other instead of deadlocking.
      List<Map.Entry<Key, long[]>> sorted = new ArrayList<>(sums.entrySet());
      sorted.sort(Map.Entry.comparingByKey(ORDER));
      int i = 0;
      for (Map.Entry<Key, long[]> e : sorted) {
        Key k = e.getKey();
        rows.set(i, k.programId(), k.bucket(), k.campaignId(), k.affiliateId(), k.linkId(), k.dims(), k.currency());
        for (int m = 0; m < MEASURES; m++) {
          measures[m][i] = e.getValue()[m];
        }
        programs.add(k.programId());
        i++;
      }
      Tuple args = rows.addTo(Tuple.tuple());
      for (Long[] m : measures) {
        args.addValue(m);
      }
      sums.clear();
      String sql = UPSERT;
      if (!cells.isEmpty()) {
        cells.drainInto(args);
        sql = CELLS_AND_UPSERT;
      }
      return tx.preparedQuery(sql).execute(args).mapEmpty();
    });
  }

  /** The batch's new clicks join {@link ClickDims} once its transaction commits (at once without one). */
  private void remember(SqlConnection tx) {
    if (fresh.isEmpty()) {
      return;
    }
    Map<ClickDims.Id, ClickDims.Click> written = new HashMap<>(fresh);
    fresh.clear();
    Transaction t = tx.transaction();
    if (t == null) {
      clicks.putAll(written);
    } else {
      t.completion().onSuccess(v -> clicks.putAll(written));
    }
  }

  private long[] sum(Key key) {
    return sums.computeIfAbsent(key, k -> new long[MEASURES]);
  }

  private static Key key(Origin o, Dims dims, String currency) {
    return new Key(o.programId, StatsQuery.bucketOf(o.at), o.campaignId, o.affiliateId, o.linkId, dims, currency);
  }

  private static String upsert() {
    StringBuilder cols = new StringBuilder();
    StringBuilder arrays = new StringBuilder();
    StringBuilder sets = new StringBuilder();
    int p = 14;
    for (int m = 0; m < MEASURES; m++) {
      cols.append(", ").append(COLUMNS[m]);
      arrays.append(", $").append(p++).append("::bigint[]");
      sets.append(m == 0 ? "" : ", ").append(COLUMNS[m]).append(" = r.").append(COLUMNS[m]).append(" + EXCLUDED.")
          .append(COLUMNS[m]);
    }
    return """
        INSERT INTO stats_rollups AS r (program_id, bucket, campaign_id, affiliate_id, link_id, source, sub1, sub2,
                                        sub3, sub4, sub5, device, currency%s)
        SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[],
                             $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]%s)
        ON CONFLICT (program_id, bucket, campaign_id, affiliate_id, link_id, source, sub1, sub2, sub3, sub4, sub5,
                     device, currency) DO UPDATE SET %s""".formatted(cols, arrays, sets);
  }

  private static String n(String s) {
    return s == null ? "" : s;
  }

  static OffsetDateTime utc(Instant at) {
    return at.atOffset(ZoneOffset.UTC);
  }
}
