package io.tracklane.ledger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tracklane.ops.QuietLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the backlog visible: every {@code ledger.lag_probe_ms} it asks the broker for the group's
 * committed offsets and the facts topic's end offsets (gauges {@code tracklane_ledger_consumer_lag}
 * per partition and {@code tracklane_ledger_consumer_group_lag} per group: facts written to Kafka and
 * not yet in the ledger), and PostgreSQL for the outbox's depth and its oldest row's age. Measured
 * from the group's committed offsets, so the lag grows while every ledger is stopped or stalled.
 */
public final class BacklogProbe extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(BacklogProbe.class);
  private static final QuietLog QUIET = new QuietLog(LOG);
  private static final String OUTBOX = """
      SELECT (SELECT count(*) FROM (SELECT 1 FROM outbox LIMIT 1000000) o) AS depth,
             (SELECT created_at FROM outbox ORDER BY id LIMIT 1) AS oldest, now() AS now""";
  private static final long ADMIN_TIMEOUT_MS = 2000;

  private final Admin admin;
  private final Pool pool;
  private final MeterRegistry registry;
  private final String group;
  private final String topic;
  private final long intervalMs;
  private final Map<Integer, AtomicLong> partitionLag = new ConcurrentHashMap<>();
  private final AtomicLong groupLag = new AtomicLong();
  private final AtomicLong outboxDepth = new AtomicLong();
  private final AtomicReference<Double> outboxAge = new AtomicReference<>(0.0);
  private long timer;
  private boolean running;

  public BacklogProbe(Admin admin, Pool pool, MeterRegistry registry, String group, String topic, long intervalMs) {
    this.admin = admin;
    this.pool = pool;
    this.registry = registry;
    this.group = group;
    this.topic = topic;
    this.intervalMs = intervalMs;
  }

  @Override
  public Future<?> start() {
    Gauge.builder("tracklane_ledger_consumer_group_lag", groupLag, AtomicLong::get).tag("group", group)
        .description("Facts in Kafka not yet committed by the ledger's consumer group (all partitions)")
        .register(registry);
    Gauge.builder("tracklane_outbox_depth", outboxDepth, AtomicLong::get)
        .description("Derived events waiting in the outbox to be published (counted up to 1,000,000)")
        .register(registry);
    Gauge.builder("tracklane_outbox_oldest_age_seconds", outboxAge, AtomicReference::get)
        .description("Age of the oldest event waiting in the outbox; 0 when it is empty").register(registry);
    timer = vertx.setPeriodic(0, intervalMs, id -> probe());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** One measurement of both; public for tests. */
  public Future<Void> probe() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    Future<Void> lag = vertx.<Map<Integer, Long>>executeBlocking(this::lags, false).map(lags -> {
      long total = 0;
      for (Map.Entry<Integer, Long> e : lags.entrySet()) {
        partitionLag.computeIfAbsent(e.getKey(), this::partitionGauge).set(e.getValue());
        total += e.getValue();
      }
      groupLag.set(total);
      return (Void) null;
    }).onFailure(e -> QUIET.warn("consumer lag not measured (Kafka unavailable)", e));
    Future<Void> outbox = pool.query(OUTBOX).execute().map(rows -> {
      Row row = rows.iterator().next();
      outboxDepth.set(row.getLong("depth"));
      OffsetDateTime oldest = row.getOffsetDateTime("oldest");
      outboxAge.set(oldest == null ? 0.0
          : java.time.Duration.between(oldest, row.getOffsetDateTime("now")).toMillis() / 1000.0);
      return (Void) null;
    }).onFailure(e -> QUIET.warn("outbox depth not measured (PostgreSQL unavailable)", e));
    return Future.join(lag, outbox).<Void>mapEmpty().eventually(() -> {
      running = false;
      return Future.succeededFuture();
    });
  }

  private AtomicLong partitionGauge(int partition) {
    AtomicLong value = new AtomicLong();
    Gauge.builder("tracklane_ledger_consumer_lag", value, AtomicLong::get).tag("group", group).tag("topic", topic)
        .tag("partition", Integer.toString(partition))
        .description("Facts in the partition not yet committed by the ledger's consumer group").register(registry);
    return value;
  }

  /** End offset minus the group's committed offset (or the log start, when nothing is committed). */
  private Map<Integer, Long> lags() throws Exception {
    int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
    }
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
        .get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    Map<TopicPartition, ListOffsetsResultInfo> starts = admin.listOffsets(earliest).all()
        .get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    Map<Integer, Long> lags = new HashMap<>();
    for (TopicPartition tp : latest.keySet()) {
      OffsetAndMetadata done = committed.get(tp);
      long from = done != null ? done.offset() : starts.get(tp).offset();
      lags.put(tp.partition(), Math.max(0, ends.get(tp).offset() - from));
    }
    return lags;
  }
}
