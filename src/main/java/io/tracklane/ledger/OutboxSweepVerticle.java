package io.tracklane.ledger;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.tracklane.ops.QuietLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes whatever waits in the outbox on a timer: events written by API changes (status moves,
 * payouts) and any a ledger batch could not relay right after its commit. Runs in every process
 * with the api or ledger role; the relay's row locks keep two sweepers from sending the same row.
 */
public final class OutboxSweepVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxSweepVerticle.class);
  private static final QuietLog QUIET = new QuietLog(LOG);

  private final OutboxRelay relay;
  private final long intervalMs;
  private long timer;

  public OutboxSweepVerticle(OutboxRelay relay, long intervalMs) {
    this.relay = relay;
    this.intervalMs = intervalMs;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(intervalMs, id -> relay.flush()
        .onFailure(e -> QUIET.warn("outbox sweep failed (retried next sweep, nothing is lost)", e)));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return relay.flush().recover(e -> Future.succeededFuture());
  }
}
