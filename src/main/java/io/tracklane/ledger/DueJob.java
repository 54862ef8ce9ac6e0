package io.tracklane.ledger;

import io.tracklane.ledger.Outbox.Event;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Moves pending commissions whose delay is over to due. Runs under a transaction-scoped advisory
 * lock, so across any number of instances one run at a time does the work; it selects by due_at,
 * so after downtime the next run catches up with everything that fell due meanwhile.
 */
public final class DueJob {
  static final long LOCK_KEY = 0x7472_6c6e_6475_6531L;
  private static final int BATCH = 2000;
  private static final String LOCK = "SELECT pg_try_advisory_xact_lock($1) AS got";
  private static final String MOVE = """
      UPDATE commissions SET status = 'due', version = version + 1, updated_at = $1
       WHERE id IN (SELECT id FROM commissions WHERE status = 'pending' AND NOT held AND due_at <= $1
                     ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING id, program_id, affiliate_id, campaign_id, amount_minor, currency, payout_id, version""";

  private final Pool pool;
  private final Outbox outbox = new Outbox();
  private final Clock clock;

  private final Consumer<Collection<Long>> changed;

  public DueJob(Pool pool, Clock clock) {
    this(pool, clock, programs -> { });
  }

  /** @param changed told, after each committed run, the programs whose commissions moved (stats caches) */
  public DueJob(Pool pool, Clock clock, Consumer<Collection<Long>> changed) {
    this.pool = pool;
    this.clock = clock;
    this.changed = changed;
  }

  /** Runs until nothing is left to move; the Future holds how many commissions this run moved. */
  public Future<Integer> run() {
    return runBatch().compose(moved -> moved < BATCH ? Future.succeededFuture(moved)
        : run().map(more -> moved + more));
  }

  private Future<Integer> runBatch() {
    Instant now = clock.instant();
    Set<Long> programs = new TreeSet<>();
    return pool.<Integer>withTransaction(tx -> tx.preparedQuery(LOCK).execute(Tuple.of(LOCK_KEY)).compose(lock -> {
      if (!lock.iterator().next().getBoolean("got")) {
        return Future.succeededFuture(0);
      }
      return tx.preparedQuery(MOVE).execute(Tuple.of(LedgerStore.utc(now), BATCH)).compose(rows -> {
        List<Event> events = new ArrayList<>(rows.size());
        for (Row r : rows) {
          events.add(CommissionEvents.statusChanged(r, "pending", "due", "delay_over", now));
          programs.add(r.getLong("program_id"));
        }
        return outbox.emitAll(tx, events).map(rows.size());
      });
    })).onSuccess(moved -> {
      if (!programs.isEmpty()) {
        changed.accept(programs);
      }
    });
  }
}
