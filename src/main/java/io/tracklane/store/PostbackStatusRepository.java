package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** What the ledger made of a postback, found by its event id in the tables it writes. */
public final class PostbackStatusRepository {
  /** A conversion row first (it holds the final status), then a lead, then a rejected event. */
  private static final String STATUS = """
      SELECT 1 AS rank, status, reject_reason AS reason, transaction_id, kind AS event, created_at
        FROM conversions WHERE program_id = $1 AND event_id = $2
      UNION ALL
      SELECT 2, status, reject_reason, transaction_id, 'lead', created_at
        FROM leads WHERE program_id = $1 AND event_id = $2
      UNION ALL
      SELECT 3, 'rejected', reason, transaction_id, NULL, created_at
        FROM rejected_events WHERE program_id = $1 AND event_id = $2
      ORDER BY rank LIMIT 1""";

  private final Pool pool;

  public PostbackStatusRepository(Pool pool) {
    this.pool = pool;
  }

  /** The recorded outcome, or null when the ledger has not recorded this event (yet). */
  public Future<JsonObject> find(long programId, String eventId) {
    return pool.preparedQuery(STATUS).execute(Tuple.of(programId, eventId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      String reason = r.getString("reason");
      String status = "duplicate".equals(reason) ? "duplicate" : r.getString("status");
      return new JsonObject().put("event_id", eventId).put("status", status).put("reason", reason)
          .put("transaction_id", r.getString("transaction_id")).put("event", r.getString("event"))
          .put("recorded_at", Rows.time(r, "created_at"));
    });
  }
}
