package io.tracklane.ledger;

import io.tracklane.domain.CommissionStatus;
import io.tracklane.domain.InvalidInput;
import io.tracklane.http.HttpError;
import io.tracklane.store.AuditLog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;

/**
 * An owner's change of a commission's status: allowed moves only, audited and emitted, and carried to
 * the refund entries that reverse the commission ({@link Reversals}).
 */
public final class CommissionUpdates {
  private static final String LOCK = """
      SELECT status, payout_id FROM commissions WHERE program_id = $1 AND id = $2 FOR UPDATE""";
  private static final String MOVE = """
      UPDATE commissions SET status = $3, version = version + 1, updated_at = $4, held = false
       WHERE program_id = $1 AND id = $2
      RETURNING id, program_id, affiliate_id, campaign_id, amount_minor, currency, payout_id, version""";

  private final Pool pool;
  private final AuditLog audit;
  private final Outbox outbox = new Outbox();
  private final Reversals reversals = new Reversals(outbox);
  private final Clock clock;

  public CommissionUpdates(Pool pool, AuditLog audit, Clock clock) {
    this.pool = pool;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * Moves the commission to {@code target}: 404 if unknown, 409 when the move is not allowed;
   * asking for the status it already has changes nothing.
   */
  public Future<Void> changeStatus(AuditLog.Actor actor, long commissionId, String target) {
    CommissionStatus to;
    try {
      to = CommissionStatus.fromWire(target);
    } catch (InvalidInput e) {
      return Future.failedFuture(HttpError.badRequest("status must be pending, due, paid or voided"));
    }
    Instant now = clock.instant();
    long programId = actor.programId();
    return pool.withTransaction(tx -> tx.preparedQuery(LOCK).execute(Tuple.of(programId, commissionId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(HttpError.notFound("Commission not found."));
          }
          Row r = rows.iterator().next();
          CommissionStatus from = CommissionStatus.fromWire(r.getString("status"));
          if (from == to) {
            return Future.succeededFuture();
          }
          if (!from.ownerMayMove(to, r.getLong("payout_id") != null)) {
            return Future.failedFuture(HttpError.conflict("A commission cannot move from " + from.wire() + " to "
                + to.wire() + (r.getLong("payout_id") != null ? " while it is in a payout" : "") + "."));
          }
          return tx.preparedQuery(MOVE).execute(Tuple.of(programId, commissionId, to.wire(), LedgerStore.utc(now)))
              .compose(moved -> outbox.emit(tx, CommissionEvents.statusChanged(moved.iterator().next(), from.wire(),
                  to.wire(), "owner", now)))
              .compose(v -> reversals.carry(tx, programId, commissionId, to, "owner", now))
              .compose(v -> audit.record(tx, actor, "commission.status_changed", "commission", commissionId,
                  new JsonObject().put("status", from.wire()), new JsonObject().put("status", to.wire())));
        }));
  }
}
