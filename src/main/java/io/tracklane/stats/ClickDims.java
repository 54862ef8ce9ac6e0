package io.tracklane.stats;

import io.tracklane.stats.RollupBatch.Dims;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rollup dimensions (source, subs, device) of the clicks one ledger writer wrote in its
 * committed batches, the most recently used {@code capacity} of them: a lead or sale through such
 * a click counts under them without a query. A click's dimensions never change, so a remembered
 * click answers as the clicks table would; a click not remembered (written before this process,
 * by another instance, or forgotten) is still looked up. One per {@code LedgerWriter}.
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
}
