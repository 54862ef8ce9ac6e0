package io.tracklane.ledger;

import io.tracklane.firehose.CloudEventRecords;
import io.tracklane.firehose.EventPublisher;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes derived events from the outbox to the firehose and deletes them once the broker has
 * them. Each program's events are published in outbox order, whatever the number of relays: a
 * relay first takes a transaction-scoped advisory lock per program with waiting events (programs
 * another relay holds are skipped, not waited for), reads only those programs' rows in id order,
 * hands them to the producer in that order (one producer, idempotent, so a partition keeps it) and
 * deletes them before the lock is released. Row locks with {@code SKIP LOCKED} alone would let a
 * second relay send a program's later rows while the first still sends its earlier ones. A crash
 * between send and delete sends the rows again, in order, with the same ids.
 */
public final class OutboxRelay {
  /** Advisory lock class of the relay: (RELAY_LOCK, hash of the program id). A hash collision only serialises two programs. */
  static final int RELAY_LOCK = 20_001;
  private static final String CLAIM_PROGRAMS = """
      SELECT program_id FROM (SELECT DISTINCT program_id FROM outbox) waiting
       WHERE pg_try_advisory_xact_lock($1, hashint8(program_id)) LIMIT $2""";
  private static final String ROWS = """
      SELECT id, program_id, payload FROM outbox WHERE program_id = ANY($1) ORDER BY id LIMIT $2""";
  private static final String DELETE = "DELETE FROM outbox WHERE id = ANY($1)";
  /** Programs claimed per round (each holds one advisory lock until the commit). */
  private static final int PROGRAMS_PER_ROUND = 256;

  private final Pool pool;
  private final EventPublisher publisher;
  private final String topic;
  private final int batch;
  private boolean running;

  public OutboxRelay(Pool pool, EventPublisher publisher, String topic, int batch) {
    this.pool = pool;
    this.publisher = publisher;
    this.topic = topic;
    this.batch = batch;
  }

  /** Publishes everything waiting; one flush at a time per relay. */
  public Future<Void> flush() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    return drain().eventually(() -> {
      running = false;
      return Future.succeededFuture();
    });
  }

  private Future<Void> drain() {
    return pool.withTransaction(tx -> tx.preparedQuery(CLAIM_PROGRAMS).execute(Tuple.of(RELAY_LOCK, PROGRAMS_PER_ROUND))
        .compose(programs -> {
          if (programs.size() == 0) {
            return Future.succeededFuture(0);
          }
          List<Long> claimed = new ArrayList<>();
          programs.forEach(r -> claimed.add(r.getLong(0)));
          return tx.preparedQuery(ROWS).execute(Tuple.of(claimed.toArray(new Long[0]), batch)).compose(rows -> {
            if (rows.size() == 0) {
              return Future.succeededFuture(0);
            }
            // The payload is the event as CloudEvent.encode() wrote it: sent as it is, not read again.
            List<CloudEventRecords.Encoded> events = new ArrayList<>(rows.size());
            List<Long> ids = new ArrayList<>(rows.size());
            for (Row row : rows) {
              ids.add(row.getLong(0));
              events.add(CloudEventRecords.structured(row.getLong(1),
                  row.getString(2).getBytes(StandardCharsets.UTF_8)));
            }
            return publisher.publishEncodedAcked(topic, events)
                .compose(done -> tx.preparedQuery(DELETE).execute(Tuple.of(ids.toArray(new Long[0]))))
                .map(rows.size());
          });
        })).compose(sent -> sent == batch ? drain() : Future.succeededFuture());
  }
}
