package io.tracklane.ledger;

import io.tracklane.domain.Conflict;
import io.tracklane.domain.InvalidInput;
import io.tracklane.domain.NotFound;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventPublisher;
import io.tracklane.firehose.EventTypes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays stored rejected facts after their cause was fixed (a rate added, a campaign enabled): each
 * goes back onto the facts topic with its own id, time and data, and the ledger reprocesses it as it
 * would its resend (a rejected conversion or lead is rewritten; if credited now, the rejection is
 * resolved). Repeats (reason {@code duplicate}) have nothing to apply and are never replayed.
 */
public final class RejectedFactRetries {
  /** The most facts one bulk retry replays; call again for more. */
  public static final int MAX_BULK = 1000;
  private static final String COLUMNS = """
      SELECT id, event_id, event_type, payload, reason, resolved_at, coalesce(occurred_at, created_at) AS occurred_at
        FROM rejected_events""";
  private static final String ONE = COLUMNS + " WHERE program_id = $1 AND id = $2";
  private static final String MANY = COLUMNS + " " + """
       WHERE program_id = $1 AND resolved_at IS NULL AND reason <> 'duplicate' AND event_type = $2
         AND ($3::bigint[] IS NULL OR id = ANY($3)) AND ($4::text IS NULL OR reason = $4)
         AND ($5::text IS NULL OR transaction_id = $5)
       ORDER BY id LIMIT $6""";

  private final Pool pool;
  private final EventPublisher publisher;
  private final String factsTopic;

  public RejectedFactRetries(Pool pool, EventPublisher publisher, String factsTopic) {
    this.pool = pool;
    this.publisher = publisher;
    this.factsTopic = factsTopic;
  }

  /** Replays one rejected fact: 404 if unknown, 409 if it is a repeat or was credited since. */
  public Future<JsonObject> retry(long programId, long id) {
    return pool.preparedQuery(ONE).execute(Tuple.of(programId, id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(new NotFound("Rejected event not found."));
      }
      Row r = rows.iterator().next();
      if ("duplicate".equals(r.getString("reason")) || !EventTypes.POSTBACK_RECEIVED.equals(r.getString("event_type"))) {
        return Future.failedFuture(new Conflict("A repeated postback has nothing to apply; retry the original."));
      }
      if (r.getValue("resolved_at") != null) {
        return Future.failedFuture(new Conflict("This event was credited since; nothing to retry."));
      }
      return replay(programId, rows).map(ids -> new JsonObject().put("id", Long.toString(id))
          .put("event_id", ids.getString(0)).put("status", "queued"));
    });
  }

  /**
   * Replays the unresolved rejected postbacks of the program named by {@code ids}, or matching
   * {@code reason} and/or {@code transactionId} (at least one must be given), {@link #MAX_BULK} at most.
   */
  public Future<JsonObject> retryAll(long programId, List<Long> ids, String reason, String transactionId) {
    if ((ids == null || ids.isEmpty()) && reason == null && transactionId == null) {
      return Future.failedFuture(
          new InvalidInput("body", "must give ids, reason or transaction_id to choose what to retry"));
    }
    Long[] idArray = ids == null || ids.isEmpty() ? null : ids.toArray(Long[]::new);
    return pool.preparedQuery(MANY).execute(Tuple.of(programId, EventTypes.POSTBACK_RECEIVED, idArray, reason,
            transactionId, MAX_BULK))
        .compose(rows -> replay(programId, rows))
        .map(eventIds -> new JsonObject().put("queued", eventIds.size()).put("event_ids", eventIds));
  }

  private Future<JsonArray> replay(long programId, RowSet<Row> rows) {
    List<CloudEvent> events = new ArrayList<>();
    JsonArray eventIds = new JsonArray();
    for (Row r : rows) {
      events.add(new CloudEvent(r.getString("event_id"), r.getString("event_type"), programId,
          r.getOffsetDateTime("occurred_at").toInstant(), (JsonObject) r.getValue("payload")));
      eventIds.add(r.getString("event_id"));
    }
    return publisher.publishAll(factsTopic, events).map(eventIds);
  }
}
