package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The due job runs once per period across processes: two instances on pools of their own race over
 * the same periods on the real PostgreSQL. The engine's own due job is set to a day, so only the
 * test's instances run.
 */
@Timeout(180)
class DueJobOncePerPeriodTest {
  /** The outbox, which the test holds; the key of another transaction's row (a claim). */
  private static final String ON_OUTBOX = "l.relation = 'outbox'::regclass";
  private static final String ON_TRANSACTION = "l.locktype = 'transactionid'";
  private static TestEngine engine;
  private static Facts facts;
  private static Pool poolA;
  private static Pool poolB;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(DueJobOncePerPeriodTest.class, Map.of("ledger.due_job_ms", "86400000",
        "ledger.payout_job_ms", "0"));
    facts = new Facts(engine);
    poolA = pool("due-a");
    poolB = pool("due-b");
  }

  @AfterAll
  static void stop() {
    TestEngine.await(poolA.close());
    TestEngine.await(poolB.close());
    facts.close();
    engine.close();
  }

  @Test
  void racingInstancesClaimEachPeriodOnceAndMoveEachCommissionOnce() {
    int rounds = 20;
    Fixtures f = new Fixtures(engine, "EUR");
    List<Long> ids = pendingCommissions(f, "race@partner.example", rounds + 1);
    long periodMs = 1000;
    long base = Math.floorDiv(System.currentTimeMillis(), periodMs) + 1;
    MovableClock clock = new MovableClock();
    MeterRegistry metricsA = new SimpleMeterRegistry();
    MeterRegistry metricsB = new SimpleMeterRegistry();
    DueJob a = new DueJob(poolA, clock, periodMs, "a", metricsA, programs -> { });
    DueJob b = new DueJob(poolB, clock, periodMs, "b", metricsB, programs -> { });

    for (int i = 0; i < rounds; i++) {
      // One commission falls due per period; both instances start a run in it at once.
      facts.sql("UPDATE commissions SET due_at = now() - interval '1 day' WHERE id = $1", ids.get(i));
      clock.set((base + i) * periodMs + periodMs / 2);
      List<Future<DueJob.Run>> race = i % 2 == 0 ? List.of(a.run(), b.run()) : List.of(b.run(), a.run());
      TestEngine.await(Future.all(race));
      List<DueJob.Run> runs = race.stream().map(Future::result).toList();
      List<DueJob.Run> ran = runs.stream().filter(DueJob.Run::ran).toList();
      assertEquals(1, ran.size(), "round " + i + ": exactly one run claims the period, " + runs);
      assertEquals(base + i, ran.get(0).period());
      assertEquals(1, ran.get(0).moved(), "round " + i + ": the winner moves the commission that fell due");
      assertEquals(List.of(0), runs.stream().filter(r -> !r.ran()).map(DueJob.Run::moved).toList(),
          "round " + i + ": the other run found the period taken and moved nothing");
    }

    Row claims = facts.sql("""
        SELECT count(*) AS n, count(DISTINCT period) AS periods, min(period) AS first, max(period) AS last,
               min(moved) AS least, max(moved) AS most
          FROM due_job_runs WHERE job = 'due' AND period_ms = $1""", periodMs).get(0);
    assertEquals(rounds, claims.getLong("n"), "one claim per period");
    assertEquals(rounds, claims.getLong("periods"));
    assertEquals(base, claims.getLong("first"));
    assertEquals(base + rounds - 1, claims.getLong("last"));
    assertEquals(1, claims.getInteger("least"));
    assertEquals(1, claims.getInteger("most"));
    assertEquals(rounds, facts.scalar("SELECT count(*) FROM commissions WHERE program_id = $1 AND status = 'due'",
        f.programId));
    assertEquals(rounds, facts.scalar("SELECT sum(version) FROM commissions WHERE program_id = $1", f.programId),
        "each commission moved exactly once");
    assertEquals(rounds, runs(metricsA, "ran") + runs(metricsB, "ran"));
    assertEquals(rounds, runs(metricsA, "skipped") + runs(metricsB, "skipped"));

    // Within a period already run, a later run does nothing, even with work waiting; the next period does it.
    facts.sql("UPDATE commissions SET due_at = now() - interval '1 day' WHERE id = $1", ids.get(rounds));
    DueJob.Run late = TestEngine.await(a.run());
    assertFalse(late.ran());
    assertEquals(0, late.moved());
    clock.set((base + rounds) * periodMs);
    DueJob.Run next = TestEngine.await(b.run());
    assertTrue(next.ran());
    assertEquals(1, next.moved());

    String metrics = Http.get(engine.opsUrl() + "/metrics").body();
    assertTrue(metrics.contains("tracklane_due_job_runs_total{outcome=\"ran\"")
        && metrics.contains("tracklane_due_job_runs_total{outcome=\"skipped\""), "the engine serves the counters");
  }

  @Test
  void aRunThatRollsBackLeavesItsPeriodToTheOther() throws Exception {
    Fixtures f = new Fixtures(engine, "EUR");
    pendingCommissions(f, "rollback@partner.example", 3);
    facts.sql("UPDATE commissions SET due_at = now() - interval '1 day' WHERE program_id = $1", f.programId);
    long periodMs = 5000;
    Clock clock = Clock.fixed(Instant.now(), ZoneOffset.UTC);
    MeterRegistry metricsB = new SimpleMeterRegistry();
    DueJob a = new DueJob(poolA, clock, periodMs, "a", new SimpleMeterRegistry(), programs -> { });
    DueJob b = new DueJob(poolB, clock, periodMs, "b", metricsB, programs -> { });

    try (Connection lock = jdbc()) {
      // Holding the outbox, A claims the period, moves the commissions and waits on its events.
      lock.setAutoCommit(false);
      lock.createStatement().execute("LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE");
      Future<DueJob.Run> runA = a.run();
      long pidA = awaitWaiting("due-a", ON_OUTBOX);
      // B's claim of the same period waits for A's transaction.
      Future<DueJob.Run> runB = b.run();
      long pidB = awaitWaiting("due-b", ON_TRANSACTION);
      assertEquals(List.of(pidA), facts.sql("SELECT unnest(pg_blocking_pids($1::int)) AS pid", (int) pidB)
          .stream().map(r -> r.getLong("pid")).toList(), "B waits on A's claim");
      facts.sql("SELECT pg_cancel_backend($1::int)", (int) pidA);
      assertTrue(runA.toCompletionStage().toCompletableFuture().handle((run, e) -> e != null).get(),
          "A's run failed and rolled back");
      awaitWaiting("due-b", ON_OUTBOX); // B claimed and moved, and now waits on the outbox in turn
      lock.commit();
      DueJob.Run run = TestEngine.await(runB);
      assertTrue(run.ran(), "the period A left is B's");
      assertEquals(3, run.moved());
    }
    Row claim = facts.sql("SELECT ran_by, moved FROM due_job_runs WHERE job = 'due' AND period_ms = $1",
        periodMs).get(0);
    assertEquals("b", claim.getString("ran_by"));
    assertEquals(3, claim.getInteger("moved"));
    assertEquals(3, facts.scalar("SELECT sum(version) FROM commissions WHERE program_id = $1 AND status = 'due'",
        f.programId), "each commission moved once, by B");
    assertEquals(1, runs(metricsB, "ran"));
  }

  @Test
  void aClaimDeletesClaimsOlderThanADay() {
    long periodMs = 60_000;
    facts.sql("""
        INSERT INTO due_job_runs (job, period_ms, period, ran_at, ran_by) VALUES
          ('due', $1, 1, now() - interval '2 days', 'old'), ('due', $1, 2, now() - interval '23 hours', 'recent')""",
        periodMs);
    DueJob job = new DueJob(poolA, Clock.systemUTC(), periodMs, "a", new SimpleMeterRegistry(), programs -> { });
    assertTrue(TestEngine.await(job.run()).ran());
    assertEquals(List.of("a", "recent"), facts.sql(
        "SELECT ran_by FROM due_job_runs WHERE period_ms = $1 ORDER BY ran_by", periodMs).stream()
        .map(r -> r.getString("ran_by")).toList());
  }

  /** {@code count} pending commissions (delay 30 days) of a new link of the program, by id. */
  private static List<Long> pendingCommissions(Fixtures f, String email, int count) {
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("payout_delay_days", 30), email);
    for (int i = 0; i < count; i++) {
      f.sale(code, email + i, "10.00");
    }
    return f.awaitCommissions("pending", count).stream().map(c -> Long.parseLong(c.getString("id"))).sorted()
        .toList();
  }

  /** Waits until the backend of {@code application} waits for a lock of the kind; its pid. */
  private static long awaitWaiting(String application, String lock) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      List<Row> rows = facts.sql("SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
          + "WHERE NOT l.granted AND a.application_name = $1 AND " + lock, application);
      if (!rows.isEmpty()) {
        return rows.get(0).getInteger("pid");
      }
      Http.sleep(20);
    }
    throw new AssertionError(application + " never waited for " + lock);
  }

  private static double runs(MeterRegistry registry, String outcome) {
    return registry.get("tracklane_due_job_runs_total").tag("outcome", outcome).counter().count();
  }

  /** A pool of its own, named so that the test can find its backend in pg_stat_activity. */
  private static Pool pool(String application) {
    var pg = engine.config().postgres();
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(new PgConnectOptions()
        .setHost(pg.host()).setPort(pg.port()).setDatabase(pg.database()).setUser(pg.user())
        .setPassword(pg.password()).setProperties(Map.of("search_path", pg.schema(), "application_name", application)))
        .using(engine.vertx()).build();
  }

  private static Connection jdbc() throws java.sql.SQLException {
    var pg = engine.config().postgres();
    Connection conn = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
    conn.setSchema(pg.schema());
    return conn;
  }

  /** A clock the test sets. */
  private static final class MovableClock extends Clock {
    private final AtomicLong millis = new AtomicLong(System.currentTimeMillis());

    void set(long epochMs) {
      millis.set(epochMs);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }
}
