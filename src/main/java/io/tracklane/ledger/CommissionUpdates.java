package io.tracklane.ledger;

import io.tracklane.domain.CommissionStatus;
import io.tracklane.domain.Conflict;
import io.tracklane.domain.InvalidInput;
import io.tracklane.domain.NotFound;
import io.tracklane.store.AuditLog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;

/**
 * An owner's change of a commission's status: allowed moves only, audited and emitted, carried to
 * the refund entries that reverse the commission ({@link Reversals}), paying alone when asked.
 */
public final class CommissionUpdates {
  private static final String LOCK = """
      SELECT status, payout_id, affiliate_id, amount_minor, currency FROM commissions WHERE program_id = $1 AND id = $2
      FOR UPDATE""";
  private static final String MOVE = """
      UPDATE commissions SET status = $3, version = version + 1, updated_at = $4, held = false
       WHERE program_id = $1 AND id = $2
      RETURNING id, program_id, affiliate_id, campaign_id, amount_minor, currency, payout_id, version""";

  private final Pool pool;
  private final AuditLog audit;
  private final Outbox outbox = new Outbox();
  private final Reversals reversals = new Reversals(outbox);
  private final Payouts payouts;
  private final Clock clock;

  public CommissionUpdates(Pool pool, AuditLog audit, Clock clock) {
    this.pool = pool;
    this.audit = audit;
    this.payouts = new Payouts(pool, clock);
    this.clock = clock;
  }

  /**
   * Moves the commission to {@code target}: 404 if unknown, 409 when the move is not allowed;
   * asking for the status it already has changes nothing. A due commission in no payout that is
   * marked paid is paid alone, as a payout of one, so every paid commission belongs to a paid payout.
   */
  public Future<Void> changeStatus(AuditLog.Actor actor, long commissionId, String target) {
    CommissionStatus to;
    try {
      to = CommissionStatus.fromWire(target);
    } catch (InvalidInput e) {
      return Future.failedFuture(new InvalidInput("status", "must be pending, due, paid or voided"));
    }
    // Paying takes the payout run's lock before the row's, in the order a run takes them.
    return pool.withTransaction(tx -> (to == CommissionStatus.PAID ? Payouts.lockRuns(tx)
        : Future.<Void>succeededFuture())
        .compose(v -> tx.preparedQuery(LOCK).execute(Tuple.of(actor.programId(), commissionId)))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(new NotFound("Commission not found."))
            : change(tx, actor, commissionId, rows.iterator().next(), to)));
  }

  /** Moves the locked commission {@code r} and audits the move; nothing when it is there already. */
  private Future<Void> change(SqlConnection tx, AuditLog.Actor actor, long commissionId, Row r, CommissionStatus to) {
    CommissionStatus from = CommissionStatus.fromWire(r.getString("status"));
    Long payoutId = r.getLong("payout_id");
    if (from == to) {
      return Future.succeededFuture();
    }
    if (!from.ownerMayMove(to, payoutId != null)) {
      return Future.failedFuture(new Conflict(refusal(from, to, payoutId)));
    }
    if (to == CommissionStatus.PAID && !CommissionStatus.payableAlone(r.getLong("amount_minor"))) {
      return Future.failedFuture(new Conflict("A commission of " + r.getLong("amount_minor")
          + " cannot be paid alone: the next payout nets it."));
    }
    Instant now = clock.instant();
    long programId = actor.programId();
    Future<Long> payoutAfter = to == CommissionStatus.PAID
        ? payouts.payAlone(tx, programId, r.getLong("affiliate_id"), r.getString("currency"), commissionId, now)
        : tx.preparedQuery(MOVE).execute(Tuple.of(programId, commissionId, to.wire(), LedgerStore.utc(now)))
            .compose(moved -> outbox.emit(tx, CommissionEvents.statusChanged(moved.iterator().next(), from.wire(),
                to.wire(), "owner", now)))
            .compose(v -> reversals.carry(tx, programId, commissionId, to, "owner", now))
            .map(payoutId);
    return payoutAfter.compose(paidIn -> audit.record(tx, actor, "commission.status_changed", "commission",
        commissionId, state(from, payoutId), state(to, paidIn)));
  }

  private static JsonObject state(CommissionStatus status, Long payoutId) {
    return new JsonObject().put("status", status.wire())
        .put("payout_id", payoutId == null ? null : payoutId.toString());
  }

  private static String refusal(CommissionStatus from, CommissionStatus to, Long payoutId) {
    if (payoutId != null && to == CommissionStatus.PAID) {
      return "The commission is in payout " + payoutId + ": mark the payout paid (POST /payouts/" + payoutId
          + "/mark_as_paid).";
    }
    return "A commission cannot move from " + from.wire() + " to " + to.wire()
        + (payoutId != null ? " while it is in a payout" : "") + ".";
  }

}
