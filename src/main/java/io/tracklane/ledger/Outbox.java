package io.tracklane.ledger;

import io.tracklane.domain.EventIds;
import io.tracklane.firehose.CloudEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;

/**
 * Writes derived firehose events into the outbox, in the transaction of the change that caused
 * them; {@link OutboxRelay} publishes them after the commit. Ids are derived from the change's
 * natural key, so a change written twice is one event.
 */
public final class Outbox {
  private static final String INSERT = """
      INSERT INTO outbox (program_id, event_id, payload) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING""";
  /** Many events in one statement, inserted in input order (the relay sends a program's events in id order). */
  private static final String INSERT_ALL = """
      INSERT INTO outbox (program_id, event_id, payload)
      SELECT program_id, event_id, payload
        FROM unnest($1::int8[], $2::text[], $3::text[]) WITH ORDINALITY AS u(program_id, event_id, payload, ord)
       ORDER BY ord
      ON CONFLICT (event_id) DO NOTHING""";

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

  /** Writes many events with one statement, in order. */
  public Future<Void> emitAll(SqlClient tx, List<Event> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    Long[] programs = new Long[events.size()];
    String[] ids = new String[events.size()];
    String[] payloads = new String[events.size()];
    for (int i = 0; i < events.size(); i++) {
      Tuple t = events.get(i).tuple();
      programs[i] = t.getLong(0);
      ids[i] = t.getString(1);
      payloads[i] = t.getString(2);
    }
    return tx.preparedQuery(INSERT_ALL).execute(Tuple.of(programs, ids, payloads)).mapEmpty();
  }
}
