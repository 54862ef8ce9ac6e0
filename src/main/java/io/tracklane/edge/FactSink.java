package io.tracklane.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.ops.ReadinessCheck;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the edge's facts go: straight to Kafka's own producer from the event loop, or to the local
 * {@link FactJournal} when Kafka cannot take them.
 *
 * <p>Clicks and impressions ({@link #record}) never wait: the send is handed to the producer (its
 * {@code max.block.ms} is 0, so it never blocks the loop) while fewer than {@code buffer_max_facts}
 * are in flight and the journal is empty; otherwise, or when the producer refuses the record or
 * later fails it, the fact is appended to the journal. A replay thread sends the journal's closed
 * segments back to Kafka, oldest first, and deletes each once every record in it is acknowledged.
 * While the journal holds anything, new facts join its tail, so they reach Kafka in the order they
 * were journaled. Only a journal at its quota loses a fact, counted and logged.
 *
 * <p>Written ahead ({@code edge.journal.write_ahead}, the default), every click and impression is
 * first written to the journal's active segment on the calling thread (a write(2) of a few hundred
 * bytes into the page cache: a SIGKILL after the answer loses nothing), then sent; Kafka's
 * acknowledgement settles it, a failure marks it for the replay, and a closed segment whose facts
 * are all acknowledged is deleted. A restart replays every segment left, so a crash may send some
 * facts twice (the ledger stores them once).
 *
 * <p>Postbacks ({@link #add}) are acknowledged facts: the Future completes on the caller's
 * context once Kafka acknowledged with acks=all, and fails (a 503 for the caller) otherwise. They
 * are never journaled: the sender retries. They have a producer of their own
 * ({@code kafka.postback_linger_ms}), so a backlog of clicks never delays their acknowledgement. A
 * postback may therefore reach the topic before a click sent just before it, as it may from another
 * edge process.
 */
public final class FactSink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FactSink.class);
  private static final long LOST_LOG_INTERVAL_MS = 10_000;
  private static final long REPLAY_BACKOFF_MS = 1_000;
  /**
   * The CloudEvents Kafka binding, structured mode (as firehose records are written): the value is
   * the JSON event, the header says so. Built once, shared by every record.
   */
  static final String CONTENT_TYPE = "content-type";
  static final byte[] STRUCTURED = "application/cloudevents+json".getBytes(StandardCharsets.US_ASCII);
  private static final List<org.apache.kafka.common.header.Header> HEADERS =
      List.of(new RecordHeader(CONTENT_TYPE, STRUCTURED));
  private static final List<JournalFormat.Header> JOURNAL_HEADERS =
      List.of(new JournalFormat.Header(CONTENT_TYPE, STRUCTURED));

  private final Producer<byte[], byte[]> producer;
  private final Producer<byte[], byte[]> postbacks;
  private final String topic;
  private final FactJournal journal;
  private final int bufferMax;
  private final boolean writeAhead;
  private final long ackTimeoutMs;
  private final long ackWaitMs;
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong lostSinceLog = new AtomicLong();
  private final AtomicLong lastLostLog = new AtomicLong();
  private final Counter replayed;
  private final Counter corrupt;
  private final Thread replayer;
  private volatile boolean running = true;

  /**
   * @param producer clicks and impressions (batching)
   * @param postbacks postbacks, each waited for by its answer
   * @param bufferMax most facts handed to the producer and not yet acknowledged
   * @param ackTimeoutMs how long a postback waits for Kafka's acknowledgement
   * @param deliveryTimeoutMs the producer's delivery.timeout.ms: how long a replayed segment may wait
   * @param writeAhead every click and impression is written to the journal before {@link #record}
   *     returns (so before it is answered), and only acknowledged ones leave it
   */
  public FactSink(Producer<byte[], byte[]> producer, Producer<byte[], byte[]> postbacks, String topic,
      FactJournal journal, int bufferMax, long ackTimeoutMs, long deliveryTimeoutMs, boolean writeAhead,
      MeterRegistry registry) {
    this.producer = producer;
    this.postbacks = postbacks;
    this.writeAhead = writeAhead;
    this.topic = topic;
    this.journal = journal;
    this.bufferMax = bufferMax;
    this.ackTimeoutMs = ackTimeoutMs;
    this.ackWaitMs = deliveryTimeoutMs + 5_000;
    Gauge.builder("tracklane_edge_buffer_facts", inFlight, AtomicLong::get)
        .description("Facts handed to the Kafka producer and not yet acknowledged").register(registry);
    Gauge.builder("tracklane_journal_facts", journal, FactJournal::pending)
        .description("Facts in the local journal waiting for Kafka").register(registry);
    Gauge.builder("tracklane_journal_bytes", journal, FactJournal::bytes)
        .description("Bytes the local journal holds (its quota is edge.journal_quota_bytes)").register(registry);
    Gauge.builder("tracklane_journal_age_seconds", journal, j -> j.oldestAgeMillis(System.currentTimeMillis()) / 1000.0)
        .description("Age of the oldest fact waiting in the journal").register(registry);
    replayed = Counter.builder("tracklane_journal_replayed_total")
        .description("Facts replayed from the journal to Kafka (its rate is the replay rate)").register(registry);
    corrupt = Counter.builder("tracklane_journal_damaged_segments_total")
        .description("Journal segments that ended in a torn or damaged frame (the facts after it are lost)")
        .register(registry);
    replayer = new Thread(this::replayLoop, "tracklane-journal-replay");
    replayer.setDaemon(true);
    replayer.start();
  }

  /**
   * Hands a fact to Kafka, or to the journal when Kafka cannot take it now. Never blocks. False
   * when the journal is full and the fact is lost; {@code lost} has then been incremented.
   */
  public boolean record(CloudEvent event, Counter lost) {
    return record(event, event.encode().getBytes(StandardCharsets.UTF_8), lost);
  }

  /** As {@link #record(CloudEvent, Counter)}, with the event's value already encoded. */
  public boolean record(CloudEvent event, byte[] value, Counter lost) {
    byte[] key = event.kafkaKey().getBytes(StandardCharsets.US_ASCII);
    boolean direct = journal.pending() == 0 && inFlight.get() < bufferMax;
    if (writeAhead) {
      FactJournal.Written written = journal.writeAhead(frame(key, value), !direct);
      if (written != null) {
        if (direct) {
          send(key, value, written);
        }
        return true;
      }
      if (!direct) {
        return lost(lost);
      }
      // Not journaled (quota, disk): still to Kafka, as without write-ahead, but a kill may lose it.
    }
    if (!direct) {
      return journal(key, value, lost);
    }
    inFlight.incrementAndGet();
    try {
      producer.send(new ProducerRecord<>(topic, null, key, value, HEADERS), (metadata, error) -> {
        inFlight.decrementAndGet();
        if (error != null) {
          journal(key, value, lost);
        }
      });
      return true;
    } catch (RuntimeException e) {
      // Refused at once: metadata not known yet, buffer full (max.block.ms is 0), producer closed.
      inFlight.decrementAndGet();
      return journal(key, value, lost);
    }
  }

  /** Sends a fact written ahead; Kafka's answer goes to the journal (a failure: to the replay). */
  private void send(byte[] key, byte[] value, FactJournal.Written written) {
    inFlight.incrementAndGet();
    try {
      producer.send(new ProducerRecord<>(topic, null, key, value, HEADERS), (metadata, error) -> {
        inFlight.decrementAndGet();
        journal.acknowledged(written, error == null);
      });
    } catch (RuntimeException e) {
      // Refused at once: metadata not known yet, buffer full (max.block.ms is 0), producer closed.
      inFlight.decrementAndGet();
      journal.acknowledged(written, false);
    }
  }

  private static byte[] frame(byte[] key, byte[] value) {
    return JournalFormat.frame(new JournalFormat.Entry(key, JOURNAL_HEADERS, value));
  }

  private boolean journal(byte[] key, byte[] value, Counter lost) {
    if (journal.append(frame(key, value))) {
      return true;
    }
    return lost(lost);
  }

  private boolean lost(Counter lost) {
    lost.increment();
    lostSinceLog.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastLostLog.get();
    if (now - last >= LOST_LOG_INTERVAL_MS && lastLostLog.compareAndSet(last, now)) {
      LOG.error("fact journal full (edge.journal_quota_bytes): {} facts lost since the last report",
          lostSinceLog.getAndSet(0));
    }
    return false;
  }

  /** Sends a fact and completes (on the calling context) once Kafka acknowledged it. */
  public Future<Void> add(CloudEvent event) {
    Context context = Vertx.currentContext();
    Promise<Void> acked = Promise.promise();
    byte[] key = event.kafkaKey().getBytes(StandardCharsets.US_ASCII);
    byte[] value = event.encode().getBytes(StandardCharsets.UTF_8);
    try {
      postbacks.send(new ProducerRecord<>(topic, null, key, value, HEADERS), (metadata, error) -> {
        if (context == null) {
          acked.handle(error == null ? Future.succeededFuture() : Future.failedFuture(error));
        } else {
          context.runOnContext(v -> acked.handle(error == null ? Future.succeededFuture() : Future.failedFuture(error)));
        }
      });
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return acked.future().timeout(ackTimeoutMs, TimeUnit.MILLISECONDS);
  }

  /** Not ready while the journal holds more than {@code highWaterBytes}: a load balancer drains us. */
  public ReadinessCheck readiness(long highWaterBytes) {
    return new ReadinessCheck() {
      @Override
      public String name() {
        return "journal";
      }

      @Override
      public Future<Void> check() {
        // Written ahead, the journal also holds facts Kafka is acknowledging: only a backlog counts.
        long held = journal.pending() == 0 ? 0 : journal.bytes();
        return held > highWaterBytes
            ? Future.failedFuture("the fact journal holds " + held + " bytes, above edge.journal_high_water_bytes")
            : Future.succeededFuture();
      }
    };
  }

  private void replayLoop() {
    while (running) {
      try {
        FactJournal.Segment segment = journal.oldest();
        if (segment == null) {
          Thread.sleep(20);
          continue;
        }
        if (!replay(segment)) {
          Thread.sleep(REPLAY_BACKOFF_MS);
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.warn("journal replay: {}", e.toString());
        try {
          Thread.sleep(REPLAY_BACKOFF_MS);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /**
   * Sends every record of the segment and deletes it once all are acknowledged; false (the segment
   * stays and is sent again whole, the ledger dedupes by event id) when any of them failed.
   */
  private boolean replay(FactJournal.Segment segment) throws IOException, InterruptedException {
    JournalFormat.Read read = JournalFormat.read(Files.readAllBytes(segment.path()));
    if (read.end() != JournalFormat.End.CLEAN) {
      corrupt.increment();
      LOG.error("journal segment {} ends in a {} frame after {} facts and {} bytes; {} bytes after it are lost",
          segment.path().getFileName(), read.end(), read.entries().size(), read.validBytes(),
          segment.bytes() - read.validBytes());
    }
    AtomicReference<Exception> failure = new AtomicReference<>();
    List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>(read.entries().size());
    for (int i = 0; i < read.entries().size(); i++) {
      if (!segment.sends(i)) {
        continue; // acknowledged when it was sent straight to Kafka
      }
      JournalFormat.Entry entry = read.entries().get(i);
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, entry.key(), entry.value(),
          entry.headers().stream().map(h -> new RecordHeader(h.name(), h.value()))
              .map(org.apache.kafka.common.header.Header.class::cast).toList());
      while (true) {
        if (!running || failure.get() != null) {
          return false;
        }
        try {
          sent.add(producer.send(record, (m, e) -> {
            if (e != null) {
              failure.compareAndSet(null, e);
            }
          }));
          break;
        } catch (RuntimeException e) {
          // Buffer full or metadata not known yet (max.block.ms is 0): wait a little and retry.
          Thread.sleep(10);
        }
      }
    }
    for (java.util.concurrent.Future<RecordMetadata> f : sent) {
      try {
        f.get(ackWaitMs, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        LOG.warn("journal replay of {} waits for Kafka: {}", segment.path().getFileName(), e.toString());
        return false;
      }
    }
    journal.replayed(segment);
    replayed.increment(sent.size());
    return true;
  }

  /**
   * Stops the replay, closes the producer (facts it cannot deliver in time go to the journal) and
   * then the journal: what it holds stays on disk for the next start. Blocks; not on an event loop.
   */
  @Override
  public void close() {
    running = false;
    replayer.interrupt();
    try {
      replayer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    postbacks.close(java.time.Duration.ofMillis(ackTimeoutMs));
    producer.close(java.time.Duration.ofMillis(ackTimeoutMs));
    journal.close();
  }

  /**
   * The edge's producer: Kafka's own client, used directly from the event loop. {@code max.block.ms}
   * is 0 so a send never blocks the loop (unknown metadata or a full buffer fail at once, and the
   * fact goes to the journal); idempotent with acks=all; batching and compression from the config.
   */
  public static Producer<byte[], byte[]> producer(io.tracklane.config.AppConfig.KafkaConfig kafka) {
    return producer(kafka, kafka.lingerMs());
  }

  /** As {@link #producer(io.tracklane.config.AppConfig.KafkaConfig)}, with its own {@code linger.ms} (postbacks). */
  public static Producer<byte[], byte[]> producer(io.tracklane.config.AppConfig.KafkaConfig kafka, int lingerMs) {
    java.util.Map<String, Object> props = new java.util.HashMap<>();
    int requestTimeout = Math.max(kafka.produceTimeoutMs(), 1000);
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("acks", "all");
    props.put("enable.idempotence", "true");
    props.put("linger.ms", lingerMs);
    props.put("batch.size", kafka.batchBytes());
    props.put("compression.type", kafka.compression());
    props.put("max.block.ms", 0);
    props.put("request.timeout.ms", requestTimeout);
    props.put("delivery.timeout.ms", (int) deliveryTimeoutMs(kafka));
    props.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    props.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    return new org.apache.kafka.clients.producer.KafkaProducer<>(props);
  }

  /** The delivery.timeout.ms {@link #producer} sets. */
  public static long deliveryTimeoutMs(io.tracklane.config.AppConfig.KafkaConfig kafka) {
    return Math.max(kafka.produceTimeoutMs() * 3, 5000) + kafka.lingerMs() + Math.max(kafka.produceTimeoutMs(), 1000);
  }

  /**
   * Asks for the facts topic's metadata until it is known or {@code waitMs} passed, so the first
   * postbacks after a start do not fail on it. Blocks; not on an event loop.
   */
  public void warmUp(long waitMs) {
    long until = System.currentTimeMillis() + waitMs;
    while (System.currentTimeMillis() < until) {
      try {
        producer.partitionsFor(topic);
        postbacks.partitionsFor(topic);
        return;
      } catch (RuntimeException e) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
