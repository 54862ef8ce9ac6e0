package io.tracklane.ledger;

import io.tracklane.domain.EventIds;
import io.tracklane.firehose.CloudEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes derived firehose events into the outbox, in the transaction of the change that caused
 * them; {@link OutboxRelay} publishes them after the commit. Ids are derived from the change's
 * natural key, so a change written twice is one event.
 */
public final class Outbox {
  private static final String INSERT = """
      INSERT INTO outbox (program_id, event_id, payload) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING""";

  /** One event to write. */
  public record Event(long programId, Instant time, String type, String naturalKey, JsonObject data) {
    Tuple tuple() {
      String id = EventIds.derived(type, programId, naturalKey);
      return Tuple.of(programId, id, new CloudEvent(id, type, programId, time, data).encode());
    }
  }

  public Future<Void> emit(SqlClient tx, Event event) {
    return tx.preparedQuery(INSERT).execute(event.tuple()).mapEmpty();
  }

  /** Writes many events in one round trip. */
  public Future<Void> emitAll(SqlClient tx, List<Event> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> batch = new ArrayList<>(events.size());
    events.forEach(e -> batch.add(e.tuple()));
    return tx.preparedQuery(INSERT).executeBatch(batch).mapEmpty();
  }
}
