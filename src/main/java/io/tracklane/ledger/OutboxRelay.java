package io.tracklane.ledger;

import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventPublisher;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes derived events from the outbox to the firehose and deletes them once the broker has
 * them. Rows are locked while published, so two ledger instances never send the same row at once;
 * a crash between send and delete sends it again, with the same id.
 */
public final class OutboxRelay {
  private static final String CLAIM = """
      SELECT id, payload FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED""";
  private static final String DELETE = "DELETE FROM outbox WHERE id = ANY($1)";
  private static final int BATCH = 500;

  private final Pool pool;
  private final EventPublisher publisher;
  private final String topic;
  private boolean running;

  public OutboxRelay(Pool pool, EventPublisher publisher, String topic) {
    this.pool = pool;
    this.publisher = publisher;
    this.topic = topic;
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
    return pool.withTransaction(tx -> tx.preparedQuery(CLAIM).execute(Tuple.of(BATCH)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(0);
      }
      List<Future<Void>> sends = new ArrayList<>();
      List<Long> ids = new ArrayList<>();
      for (Row row : rows) {
        ids.add(row.getLong("id"));
        sends.add(publisher.publish(topic, CloudEvent.decode(row.getString("payload"))));
      }
      return Future.all(sends)
          .compose(done -> tx.preparedQuery(DELETE).execute(Tuple.of(ids.toArray(new Long[0]))))
          .map(rows.size());
    })).compose(sent -> sent == BATCH ? drain() : Future.succeededFuture());
  }
}
