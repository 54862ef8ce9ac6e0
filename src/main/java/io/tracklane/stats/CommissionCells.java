package io.tracklane.stats;

import io.tracklane.stats.RollupBatch.Origin;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The stats_commission_cells rows of a batch's new commissions (where each counted), waiting to be
 * written: with the batch's upsert, or earlier when something in the transaction is about to
 * change a commission's status.
 */
final class CommissionCells {
  private static final String[] TYPES = {"bigint", "bigint", "timestamptz", "bigint", "bigint", "bigint", "text",
      "text", "text", "text", "text", "text", "text", "text"};

  private record Cell(long commissionId, Origin origin, String currency) {
  }

  private final List<Cell> waiting = new ArrayList<>();

  /** The insert of the cells, its 14 array parameters numbered from {@code first}. */
  static String insert(int first) {
    StringBuilder arrays = new StringBuilder();
    for (int i = 0; i < TYPES.length; i++) {
      arrays.append(i == 0 ? "" : ", ").append('$').append(first + i).append("::").append(TYPES[i]).append("[]");
    }
    return """
        INSERT INTO stats_commission_cells (commission_id, program_id, bucket, campaign_id, affiliate_id, link_id,
                                            source, sub1, sub2, sub3, sub4, sub5, device, currency)
        SELECT * FROM unnest(%s)
        ON CONFLICT (commission_id) DO NOTHING""".formatted(arrays);
  }

  /** A new commission that counted under {@code origin} (its dimensions resolved) in {@code currency}. */
  void add(long commissionId, Origin origin, String currency) {
    waiting.add(new Cell(commissionId, origin, currency));
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  /** Adds the waiting cells to {@code args} as the insert's 14 arrays, and forgets them. */
  Tuple drainInto(Tuple args) {
    int n = waiting.size();
    Long[] ids = new Long[n];
    CellArrays cells = new CellArrays(n);
    for (int i = 0; i < n; i++) {
      Cell c = waiting.get(i);
      Origin o = c.origin();
      ids[i] = c.commissionId();
      cells.set(i, o.programId, StatsQuery.bucketOf(o.at), o.campaignId, o.affiliateId, o.linkId, o.dims,
          c.currency());
    }
    waiting.clear();
    return cells.addTo(args.addValue(ids));
  }
}
