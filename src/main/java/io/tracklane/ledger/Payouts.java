package io.tracklane.ledger;

import io.tracklane.domain.Conflict;
import io.tracklane.domain.NotFound;
import io.tracklane.firehose.EventTypes;
import io.tracklane.ledger.Outbox.Event;
import io.tracklane.store.AuditLog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Payouts: gathering each affiliate's due commissions per currency once their sum reaches the
 * minimum, paying a payout with its commissions in one transaction, and paying one commission
 * alone as a payout of one.
 */
public final class Payouts {
  static final long LOCK_KEY = 0x7472_6c6e_7061_7931L;
  private static final String LOCK = "SELECT pg_advisory_xact_lock($1)";
  /**
   * Decides and gathers in one statement, so what is summed is exactly what is gathered: the due
   * rows are locked first (a refund in flight is waited for, and a row it voided drops out), then
   * grouped per (program, affiliate, currency), and only groups whose sum is positive and reaches
   * the minimum become payouts. The minimum of a mixed-campaign group is the highest of its
   * campaigns': no campaign pays below its own.
   */
  private static final String GATHER = """
      WITH due AS (
        SELECT m.id, m.program_id, m.affiliate_id, m.currency, m.amount_minor, c.minimum_payout_cents
          FROM commissions m JOIN campaigns c ON c.id = m.campaign_id
         WHERE m.status = 'due' AND m.payout_id IS NULL AND ($1::bigint IS NULL OR m.program_id = $1)
         ORDER BY m.id
           FOR UPDATE OF m),
      ready AS (
        SELECT program_id, affiliate_id, currency, sum(amount_minor) AS total, count(*) AS n FROM due
         GROUP BY program_id, affiliate_id, currency
        HAVING sum(amount_minor) > 0 AND sum(amount_minor) >= max(minimum_payout_cents)),
      created AS (
        INSERT INTO payouts (program_id, affiliate_id, currency, amount_minor, commission_count, created_at)
        SELECT program_id, affiliate_id, currency, total, n, $2 FROM ready
        RETURNING id, program_id, affiliate_id, currency, amount_minor)
      UPDATE commissions m SET payout_id = p.id, updated_at = $2
        FROM due d JOIN created p USING (program_id, affiliate_id, currency)
       WHERE m.id = d.id
      RETURNING m.id, p.id AS payout_id, p.program_id, p.affiliate_id, p.currency, p.amount_minor AS payout_total""";
  /** A payout of one, at the owner's request: marked so the minimum is not checked against it. */
  private static final String INSERT = """
      INSERT INTO payouts (program_id, affiliate_id, currency, amount_minor, created_at, paid_alone)
      VALUES ($1, $2, $3, 0, $4, true) RETURNING id""";
  /** One due commission in no payout, gathered into the payout made for it alone. */
  private static final String GATHER_ONE = """
      UPDATE commissions SET payout_id = $4, updated_at = $5
       WHERE program_id = $1 AND affiliate_id = $2 AND currency = $3 AND status = 'due' AND payout_id IS NULL
         AND id = $6
      RETURNING id, amount_minor""";
  private static final String TOTAL = """
      UPDATE payouts SET amount_minor = $2, commission_count = $3 WHERE id = $1""";
  private static final String PAY = """
      UPDATE payouts SET status = 'paid', paid_at = $3 WHERE program_id = $1 AND id = $2 AND status = 'pending'
      RETURNING id, affiliate_id, currency, amount_minor, commission_count""";
  private static final String EXISTS = "SELECT status FROM payouts WHERE program_id = $1 AND id = $2";
  private static final String PAY_COMMISSIONS = """
      UPDATE commissions SET status = 'paid', version = version + 1, updated_at = $2
       WHERE payout_id = $1 AND status = 'due'
      RETURNING id, program_id, affiliate_id, campaign_id, amount_minor, currency, payout_id, version""";

  private final Pool pool;
  private final Outbox outbox = new Outbox();
  private final AuditLog audit;
  private final Clock clock;

  public Payouts(Pool pool, Clock clock) {
    this.pool = pool;
    this.audit = new AuditLog(pool);
    this.clock = clock;
  }

  /** Creates the payouts that are ready, in one program or (null) all; returns their ids. */
  public Future<List<Long>> run(Long programId) {
    return run(programId, null);
  }

  /**
   * The same, asked for by {@code actor} (null: the schedule): each new payout is audited in the
   * transaction that creates it.
   */
  public Future<List<Long>> run(Long programId, AuditLog.Actor actor) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> tx.preparedQuery(LOCK).execute(Tuple.of(LOCK_KEY))
        .compose(locked -> tx.preparedQuery(GATHER).execute(Tuple.of(programId, LedgerStore.utc(now))))
        .compose(gathered -> {
          Map<Long, JsonObject> payouts = new LinkedHashMap<>();
          for (Row r : gathered) {
            payouts.computeIfAbsent(r.getLong("payout_id"), id -> new JsonObject()
                .put("program_id", r.getLong("program_id")).put("payout_id", Long.toString(id))
                .put("affiliate_id", Long.toString(r.getLong("affiliate_id"))).put("currency", r.getString("currency"))
                .put("amount_cents", r.getLong("payout_total")).put("commission_ids", new JsonArray()))
                .getJsonArray("commission_ids").add(r.getLong("id").toString());
          }
          List<Event> events = new ArrayList<>();
          Future<Void> audited = Future.succeededFuture();
          for (Map.Entry<Long, JsonObject> p : payouts.entrySet()) {
            long payoutProgram = (Long) p.getValue().remove("program_id");
            events.add(new Event(payoutProgram, now, EventTypes.PAYOUT_CREATED, "payout:" + p.getKey(), p.getValue()));
            if (actor != null) {
              audited = audited.compose(v -> audit.record(tx, actor, "payout.created", "payout", p.getKey(), null,
                  p.getValue().copy().put("status", "pending")));
            }
          }
          return audited.compose(v -> outbox.emitAll(tx, events)).map(v -> new ArrayList<>(payouts.keySet()));
        }));
  }

  /**
   * Pays one due commission that is in no payout as a payout of its own, created and paid at once
   * with the events of both, in the caller's transaction (which holds the commission's row lock and
   * took {@link #lockRuns} first). Returns the payout's id.
   */
  Future<Long> payAlone(SqlConnection tx, long programId, long affiliateId, String currency, long commissionId,
      Instant now) {
    return create(tx, programId, affiliateId, currency, commissionId, now)
        .compose(created -> pay(tx, programId, created.payoutId(), now).map(created.payoutId()));
  }

  /** Serialises with payout runs, so a run never gathers a commission that is being paid alone. */
  static Future<Void> lockRuns(SqlConnection tx) {
    return tx.preparedQuery(LOCK).execute(Tuple.of(LOCK_KEY)).mapEmpty();
  }

  private record Created(long payoutId, JsonObject data) {
  }

  /** A payout holding the one due commission {@code commissionId}, with its created event. */
  private Future<Created> create(SqlConnection tx, long programId, long affiliateId, String currency,
      long commissionId, Instant now) {
    return tx.preparedQuery(INSERT).execute(Tuple.of(programId, affiliateId, currency, LedgerStore.utc(now)))
        .compose(rows -> {
          long payoutId = rows.iterator().next().getLong("id");
          Tuple args = Tuple.of(programId, affiliateId, currency, payoutId, LedgerStore.utc(now), commissionId);
          return tx.preparedQuery(GATHER_ONE).execute(args).compose(gathered -> {
            long total = 0;
            JsonArray ids = new JsonArray();
            for (Row r : gathered) {
              total = Math.addExact(total, r.getLong("amount_minor"));
              ids.add(r.getLong("id").toString());
            }
            JsonObject data = new JsonObject().put("payout_id", Long.toString(payoutId))
                .put("affiliate_id", Long.toString(affiliateId)).put("currency", currency)
                .put("amount_cents", total).put("commission_ids", ids);
            return tx.preparedQuery(TOTAL).execute(Tuple.of(payoutId, total, gathered.size()))
                .compose(v -> outbox.emit(tx, new Event(programId, now, EventTypes.PAYOUT_CREATED,
                    "payout:" + payoutId, data)))
                .map(new Created(payoutId, data));
          });
        });
  }

  /** Pays the payout and its commissions at once, audited as {@code actor}; 404 if unknown, 409 if already paid. */
  public Future<Void> markPaid(AuditLog.Actor actor, long payoutId) {
    Instant now = clock.instant();
    long programId = actor.programId();
    return pool.withTransaction(tx -> pay(tx, programId, payoutId, now).compose(paid -> audit.record(tx, actor,
        "payout.paid", "payout", payoutId, paid.copy().put("status", "pending").putNull("paid_at"), paid)));
  }

  /** The payout as paid (the audit's "after"). */
  private Future<JsonObject> pay(SqlConnection tx, long programId, long payoutId, Instant now) {
    return tx.preparedQuery(PAY).execute(Tuple.of(programId, payoutId, LedgerStore.utc(now))).compose(paid -> {
      if (paid.size() == 0) {
        return tx.preparedQuery(EXISTS).execute(Tuple.of(programId, payoutId)).compose(rows -> Future.failedFuture(
            rows.size() == 0 ? new NotFound("Payout not found.")
                : new Conflict("Payout is already paid.")));
      }
      Row p = paid.iterator().next();
      JsonObject data = new JsonObject().put("payout_id", Long.toString(payoutId))
          .put("affiliate_id", Long.toString(p.getLong("affiliate_id"))).put("currency", p.getString("currency"))
          .put("amount_cents", p.getLong("amount_minor")).put("paid_at", now.toString());
      return tx.preparedQuery(PAY_COMMISSIONS).execute(Tuple.of(payoutId, LedgerStore.utc(now))).compose(rows -> {
        List<Event> events = new ArrayList<>();
        for (Row r : rows) {
          events.add(CommissionEvents.statusChanged(r, "due", "paid", "payout_paid", now));
        }
        events.add(new Event(programId, now, EventTypes.PAYOUT_PAID, "payout_paid:" + payoutId, data));
        return outbox.emitAll(tx, events);
      }).map(v -> data.copy().put("commission_count", p.getInteger("commission_count")).put("status", "paid"));
    });
  }
}
