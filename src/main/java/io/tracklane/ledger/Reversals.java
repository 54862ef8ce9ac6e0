package io.tracklane.ledger;

import io.tracklane.domain.CommissionStatus;
import io.tracklane.ledger.Outbox.Event;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A status change of a commission carries to the refund entries that reverse it: voided after a
 * partial refund, its negative entry must not stay live (it would fall due and cut the next payout);
 * approved early, its negative entry must be due with it. Entries already in a payout are settled and
 * stay; clawbacks are their own debts and stay too.
 */
final class Reversals {
  private static final String CARRY = """
      WITH moving AS (
        SELECT id, status AS before FROM commissions
         WHERE program_id = $1 AND reverses_id = $2 AND kind = 'refund' AND payout_id IS NULL
           AND status IN ('pending', 'due') AND status <> $3
         ORDER BY id FOR UPDATE)
      UPDATE commissions m SET status = $3, version = m.version + 1, updated_at = $4, held = false FROM moving
       WHERE m.id = moving.id
      RETURNING m.id, m.program_id, m.affiliate_id, m.campaign_id, m.amount_minor, m.currency, m.payout_id, m.version,
                moving.before""";

  private final Outbox outbox;

  Reversals(Outbox outbox) {
    this.outbox = outbox;
  }

  /** Moves the commission's unsettled refund entries to {@code to}, with their status-change events. */
  Future<Void> carry(SqlConnection tx, long programId, long commissionId, CommissionStatus to, String cause,
      Instant now) {
    return tx.preparedQuery(CARRY).execute(Tuple.of(programId, commissionId, to.wire(), LedgerStore.utc(now)))
        .compose(rows -> {
          List<Event> events = new ArrayList<>();
          for (Row r : rows) {
            events.add(CommissionEvents.statusChanged(r, r.getString("before"), to.wire(), cause, now));
          }
          return outbox.emitAll(tx, events);
        });
  }
}
