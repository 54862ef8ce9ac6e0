package io.tracklane.ledger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tracklane.ledger.Outbox.Event;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Moves pending commissions whose delay is over to due, once per period across all ledger
 * processes: a run first claims its period (floor(epoch ms / period)) in {@code due_job_runs}, in
 * the transaction that moves the first batch, and does nothing when the claim is taken. A second
 * run of the same period waits on the claim's key until the first commits (then it skips) or rolls
 * back (then it claims and runs). It selects by due_at, so after downtime the next run catches up
 * with everything that fell due meanwhile. Batches of a run after its first, and runs of other
 * periods, may overlap: they move disjoint rows (FOR UPDATE SKIP LOCKED), each commission once.
 */
public final class DueJob {
  static final String JOB = "due";
  private static final int BATCH = 2000;
  /** How long claims are kept: the table stays bounded (a day of periods). */
  private static final Duration KEEP_RUNS = Duration.ofDays(1);
  private static final String CLAIM = """
      INSERT INTO due_job_runs (job, period_ms, period, ran_at, ran_by) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT DO NOTHING RETURNING period""";
  private static final String FORGET = "DELETE FROM due_job_runs WHERE ran_at < $1";
  private static final String COUNT = """
      UPDATE due_job_runs SET moved = moved + $4 WHERE job = $1 AND period_ms = $2 AND period = $3""";
  private static final String MOVE = """
      UPDATE commissions SET status = 'due', version = version + 1, updated_at = $1
       WHERE id IN (SELECT id FROM commissions WHERE status = 'pending' AND NOT held AND due_at <= $1
                     ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING id, program_id, affiliate_id, campaign_id, amount_minor, currency, payout_id, version""";

  /** What one call of {@link #run()} did: claimed its period and moved {@code moved}, or found it taken. */
  public record Run(long period, boolean ran, int moved) {
  }

  private final Pool pool;
  private final Outbox outbox = new Outbox();
  private final Clock clock;
  private final long periodMs;
  private final String ranBy;
  private final Counter ran;
  private final Counter skipped;
  private final Consumer<Collection<Long>> changed;

  /**
   * @param periodMs the period a run claims (ledger.due_job_ms)
   * @param ranBy who runs, stored with each claim (the process, e.g. {@code pid@host})
   * @param changed told, after each committed batch, the programs whose commissions moved (stats caches)
   */
  public DueJob(Pool pool, Clock clock, long periodMs, String ranBy, MeterRegistry registry,
      Consumer<Collection<Long>> changed) {
    this.pool = pool;
    this.clock = clock;
    this.periodMs = periodMs;
    this.ranBy = ranBy;
    this.changed = changed;
    ran = runs(registry, "ran");
    skipped = runs(registry, "skipped");
  }

  private static Counter runs(MeterRegistry registry, String outcome) {
    return Counter.builder("tracklane_due_job_runs_total").tag("outcome", outcome)
        .description("Due job runs: ran (claimed its period) or skipped (another process had run it)")
        .register(registry);
  }

  /** Claims the current period and runs until nothing is left to move, or does nothing if the period is taken. */
  public Future<Run> run() {
    Instant now = clock.instant();
    long period = Math.floorDiv(now.toEpochMilli(), periodMs);
    return batch(now, period, true).compose(moved -> {
      if (moved == null) {
        skipped.increment();
        return Future.succeededFuture(new Run(period, false, 0));
      }
      ran.increment();
      return (moved < BATCH ? Future.succeededFuture(moved) : rest(period).map(more -> moved + more))
          .map(all -> new Run(period, true, all));
    });
  }

  private Future<Integer> rest(long period) {
    return batch(clock.instant(), period, false).compose(moved -> moved < BATCH ? Future.succeededFuture(moved)
        : rest(period).map(more -> moved + more));
  }

  /** One transaction: the claim first when {@code claim} (null when it is taken), then up to BATCH moves. */
  private Future<Integer> batch(Instant now, long period, boolean claim) {
    Set<Long> programs = new TreeSet<>();
    return pool.<Integer>withTransaction(tx -> (claim ? claim(tx, now, period) : Future.succeededFuture(true))
        .compose(claimed -> !claimed ? Future.<Integer>succeededFuture(null) : move(tx, now, period, programs)))
        .onSuccess(moved -> {
          if (!programs.isEmpty()) {
            changed.accept(programs);
          }
        });
  }

  private Future<Boolean> claim(SqlConnection tx, Instant now, long period) {
    return tx.preparedQuery(CLAIM).execute(Tuple.of(JOB, periodMs, period, LedgerStore.utc(now), ranBy))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(false)
            : tx.preparedQuery(FORGET).execute(Tuple.of(LedgerStore.utc(now.minus(KEEP_RUNS)))).map(true));
  }

  private Future<Integer> move(SqlConnection tx, Instant now, long period, Set<Long> programs) {
    return tx.preparedQuery(MOVE).execute(Tuple.of(LedgerStore.utc(now), BATCH)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(0);
      }
      List<Event> events = new ArrayList<>(rows.size());
      for (Row r : rows) {
        events.add(CommissionEvents.statusChanged(r, "pending", "due", "delay_over", now));
        programs.add(r.getLong("program_id"));
      }
      return outbox.emitAll(tx, events)
          .compose(v -> tx.preparedQuery(COUNT).execute(Tuple.of(JOB, periodMs, period, rows.size())))
          .map(rows.size());
    });
  }
}
