package io.tracklane.stats;

import io.tracklane.stats.RollupBatch.Dims;
import io.tracklane.stats.RollupBatch.Origin;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rollup dimensions (source, subs, device) of the clicks one ledger writer wrote in its
 * committed batches, the most recently used {@code capacity} of them: a lead or sale through such
 * a click counts under them without a query. A click's dimensions never change, so a remembered
 * click answers as the clicks table would; a click not remembered (written before this process,
 * by another instance, or forgotten) is still looked up ({@link #lookup}). One per {@code LedgerWriter}.
 */
public final class ClickDims {
  /** How many clicks a ledger writer remembers by default (a few hundred bytes each). */
  public static final int DEFAULT_CAPACITY = 50_000;

  record Id(long programId, String clickId) {
  }

  /** A click's dimensions and when it was created (the clicks row's created_at). */
  record Click(Instant createdAt, Dims dims) {
    /** Whether this click was created in the second {@code issuedAt} starts (null: any time). */
    boolean issuedIn(Instant issuedAt) {
      return issuedAt == null
          || (!createdAt.isBefore(issuedAt) && createdAt.isBefore(issuedAt.plusSeconds(1)));
    }
  }

  private static final String CLICK_DIMS = """
      SELECT k.i, c.source, c.sub1, c.sub2, c.sub3, c.sub4, c.sub5, c.user_agent, c.flags
        FROM unnest($1::text[], $2::timestamptz[], $3::bigint[]) WITH ORDINALITY AS k(id, at, prog, i)
        JOIN clicks c ON c.click_id = k.id AND c.program_id = k.prog
         AND (k.at IS NULL OR (c.created_at >= k.at AND c.created_at < k.at + interval '1 second'))""";

  private final Map<Id, Click> clicks;

  public ClickDims(int capacity) {
    this.clicks = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Id, Click> eldest) {
        return size() > capacity;
      }
    };
  }

  synchronized Click get(Id id) {
    return clicks.get(id);
  }

  synchronized void putAll(Map<Id, Click> written) {
    clicks.putAll(written);
  }

  /** How many clicks are remembered. */
  public synchronized int size() {
    return clicks.size();
  }

  /** Sets the dimensions of {@code origins} from the clicks table (Dims.NONE: no such click). */
  static Future<Void> lookup(SqlConnection tx, List<Origin> origins) {
    String[] ids = new String[origins.size()];
    OffsetDateTime[] ats = new OffsetDateTime[origins.size()];
    Long[] progs = new Long[origins.size()];
    for (int i = 0; i < ids.length; i++) {
      Origin o = origins.get(i);
      ids[i] = o.click.clickId();
      ats[i] = o.click.issuedAt() == null ? null : RollupBatch.utc(o.click.issuedAt());
      progs[i] = o.programId;
    }
    return tx.preparedQuery(CLICK_DIMS).execute(Tuple.of(ids, ats, progs)).map(rows -> {
      for (Row r : rows) {
        Origin o = origins.get((int) (r.getLong("i") - 1));
        String[] flags = r.getArrayOfStrings("flags");
        o.dims = Dims.of(r.getString("source"), r.getString("sub1"), r.getString("sub2"), r.getString("sub3"),
            r.getString("sub4"), r.getString("sub5"), r.getString("user_agent"),
            flags != null && List.of(flags).contains("bot"));
      }
      origins.forEach(o -> {
        if (o.dims == null) {
          o.dims = Dims.NONE;
        }
      });
      return null;
    });
  }
}
