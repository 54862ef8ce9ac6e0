package io.tracklane.ledger;

import io.tracklane.config.AppConfig.LedgerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's scheduled jobs: pending to due, and payout runs. Every ledger process runs them:
 * the due job claims its period, so one run per period does the work across all processes; payout
 * runs take an advisory lock, so one at a time does.
 */
public final class LedgerJobsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerJobsVerticle.class);

  private final LedgerConfig config;
  private final DueJob dueJob;
  private final Payouts payouts;
  private boolean dueRunning;
  private boolean payoutRunning;

  public LedgerJobsVerticle(LedgerConfig config, DueJob dueJob, Payouts payouts) {
    this.config = config;
    this.dueJob = dueJob;
    this.payouts = payouts;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(config.dueJobMs(), config.dueJobMs(), id -> runDue());
    if (config.payoutJobMs() > 0) {
      vertx.setPeriodic(config.payoutJobMs(), config.payoutJobMs(), id -> runPayouts());
    }
    return Future.succeededFuture();
  }

  private void runDue() {
    if (dueRunning) {
      return;
    }
    dueRunning = true;
    dueJob.run().onComplete(done -> {
      dueRunning = false;
      if (done.failed()) {
        LOG.warn("due job failed, next run retries: {}", done.cause().toString());
      }
    });
  }

  private void runPayouts() {
    if (payoutRunning) {
      return;
    }
    payoutRunning = true;
    payouts.run(null).onComplete(done -> {
      payoutRunning = false;
      if (done.failed()) {
        LOG.warn("payout run failed, next run retries: {}", done.cause().toString());
      }
    });
  }
}
