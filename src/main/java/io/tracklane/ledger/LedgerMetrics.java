package io.tracklane.ledger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/** The ledger's counters. Each counts what was new in the database, so redeliveries count once. */
public final class LedgerMetrics {
  final Counter facts;
  final Counter conversions;
  final Counter rejected;
  final Counter commissions;
  final Counter deadLetters;
  final Counter batchFailures;
  final Counter bugFailures;
  final Counter clickIdCollisions;
  private final AtomicLong batchAgeMs = new AtomicLong();

  public LedgerMetrics(MeterRegistry registry) {
    facts = Counter.builder("tracklane_ledger_facts_total").description("Facts consumed by the ledger")
        .register(registry);
    conversions = Counter.builder("tracklane_conversions_recorded_total").description("New conversions credited")
        .register(registry);
    rejected = Counter.builder("tracklane_conversions_rejected_total")
        .description("New conversions that could not be credited").register(registry);
    commissions = Counter.builder("tracklane_commissions_total").description("New commissions")
        .register(registry);
    deadLetters = Counter.builder("tracklane_dead_letters_total")
        .description("Records sent to the dead-letter topic").register(registry);
    batchFailures = Counter.builder("tracklane_ledger_batch_failures_total")
        .description("Batches rolled back and retried").register(registry);
    bugFailures = Counter.builder("tracklane_ledger_bug_failures_total")
        .description("Batches that failed on a programming error (retried, never dead-lettered): alert on any")
        .register(registry);
    clickIdCollisions = Counter.builder("tracklane_click_id_collisions_total")
        .description("Clicks not stored because another click already holds their id (not a redelivery: the "
            + "stored click differs); each is logged. Alert on any").register(registry);

    Gauge.builder("tracklane_ledger_batch_age_seconds", batchAgeMs, ms -> ms.get() / 1000.0)
        .description("Age of the oldest fact in the last committed batch at its commit: how far behind the edge "
            + "the ledger writes").register(registry);
  }

  /** A batch committed; {@code oldestTimestampMs} is its oldest record's Kafka timestamp. */
  void batchCommitted(long oldestTimestampMs) {
    if (oldestTimestampMs > 0 && oldestTimestampMs != Long.MAX_VALUE) {
      batchAgeMs.set(Math.max(0, System.currentTimeMillis() - oldestTimestampMs));
    }
  }

  /** What one batch changed; published only after its transaction committed. */
  static final class Tally {
    int conversions;
    int rejected;
    int commissions;

    void publish(LedgerMetrics metrics, int facts) {
      metrics.facts.increment(facts);
      metrics.conversions.increment(conversions);
      metrics.rejected.increment(rejected);
      metrics.commissions.increment(commissions);
    }
  }
}
