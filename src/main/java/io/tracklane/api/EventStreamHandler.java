package io.tracklane.api;

import io.tracklane.config.AppConfig.EventStreamConfig;
import io.tracklane.config.AppConfig.KafkaConfig;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.CloudEventRecords;
import io.tracklane.firehose.EventScope;
import io.tracklane.firehose.EventTypes;
import io.tracklane.firehose.StreamPosition;
import io.tracklane.http.HttpError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GET /api/v1/events: the key's view of its program's firehose as server-sent events, read from
 * Kafka (no state in the API process, so any instance serves any stream). The program's events are
 * in one partition of each topic; the stream reads both from a {@link StreamPosition} and each
 * event's {@code id:} is the position just after it, so {@code Last-Event-ID} resumes with no gap
 * and no repeat. Without it the stream starts at the end (only new events). Back-pressure: when the
 * socket's write queue is full the Kafka consumer is paused (at most one fetched batch is held);
 * a client that does not drain it within {@code api.events.slow_client_ms} is disconnected.
 */
public final class EventStreamHandler {
  private static final Logger LOG = LoggerFactory.getLogger(EventStreamHandler.class);
  private static final Set<String> TYPES = declaredTypes();
  /** Bytes written but not yet taken by the socket past which the stream stops reading Kafka. */
  static final int HIGH_WATER = 256 * 1024;
  static final int LOW_WATER = 64 * 1024;

  private final Vertx vertx;
  private final KafkaConfig kafka;
  private final EventStreamConfig config;
  private final Map<Long, AtomicInteger> open = new ConcurrentHashMap<>();

  public EventStreamHandler(Vertx vertx, KafkaConfig kafka, EventStreamConfig config) {
    this.vertx = vertx;
    this.kafka = kafka;
    this.config = config;
  }

  public void register(Operations ops) {
    ops.on("streamEvents", this::stream);
  }

  private void stream(RoutingContext ctx) {
    Principal who = AuthHandler.principal(ctx);
    Set<String> types = types(ctx.queryParam("types"));
    String last = ctx.request().getHeader("Last-Event-ID");
    StreamPosition from;
    try {
      from = last == null || last.isBlank() ? null : StreamPosition.parse(last);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest(e.getMessage());
    }
    AtomicInteger count = open.computeIfAbsent(who.keyId(), k -> new AtomicInteger());
    if (count.incrementAndGet() > config.maxStreamsPerKey()) {
      count.decrementAndGet();
      throw HttpError.tooManyRequests("at most " + config.maxStreamsPerKey() + " open event streams per key");
    }
    new Stream(ctx, who, types, count).start(from);
  }

  /** One open stream: its consumer, timers and position. */
  private final class Stream {
    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final Principal who;
    private final Set<String> types;
    private final AtomicInteger count;
    private KafkaConsumer<String, byte[]> consumer;
    private TopicPartition facts;
    private StreamPosition position;
    private long heartbeat = -1;
    private long slowTimer = -1;
    private long pending;
    private boolean paused;
    private boolean closed;

    Stream(RoutingContext ctx, Principal who, Set<String> types, AtomicInteger count) {
      this.ctx = ctx;
      this.response = ctx.response();
      this.who = who;
      this.types = types;
      this.count = count;
    }

    void start(StreamPosition from) {
      Map<String, String> props = new HashMap<>();
      props.put("bootstrap.servers", kafka.bootstrapServers());
      props.put("enable.auto.commit", "false");
      props.put("max.poll.records", "500");
      props.put("request.timeout.ms", "10000");
      props.put("default.api.timeout.ms", "10000");
      consumer = KafkaConsumer.create(vertx, props, String.class, byte[].class);
      consumer.exceptionHandler(e -> fail("kafka", e));
      response.closeHandler(v -> close());
      response.exceptionHandler(e -> close());
      consumer.partitionsFor(kafka.topicFacts()).compose(partitions -> {
        byte[] key = Long.toString(who.programId()).getBytes(StandardCharsets.UTF_8);
        int partition = Utils.toPositive(Utils.murmur2(key)) % partitions.size();
        facts = new TopicPartition(kafka.topicFacts(), partition);
        TopicPartition changes = new TopicPartition(kafka.topicChanges(), partition);
        return consumer.assign(Set.of(facts, changes)).compose(v -> {
          if (from != null) {
            return consumer.seek(facts, from.facts()).compose(x -> consumer.seek(changes, from.changes()))
                .map(from);
          }
          return consumer.seekToEnd(Set.of(facts, changes)).compose(x -> consumer.position(facts))
              .compose(f -> consumer.position(changes).map(c -> new StreamPosition(f, c)));
        });
      }).onSuccess(start -> {
        if (closed) {
          return;
        }
        position = start;
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "text/event-stream")
            .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
        response.write("retry: 1000\n: stream open\nid: " + position + "\n\n");
        heartbeat = vertx.setPeriodic(config.heartbeatMs(), t -> {
          if (!paused) {
            send(": heartbeat\n\n");
          }
        });
        consumer.handler(this::record);
      }).onFailure(e -> {
        close();
        if (!response.headWritten()) {
          ctx.fail(HttpError.unavailable("the event stream is unavailable: " + e.getMessage()));
        }
      });
    }

    private void record(KafkaConsumerRecord<String, byte[]> record) {
      if (closed) {
        return;
      }
      boolean isFacts = record.topic().equals(facts.getTopic());
      position = isFacts ? position.afterFacts(record.offset()) : position.afterChanges(record.offset());
      CloudEvent event;
      try {
        event = CloudEventRecords.decode(record.record());
      } catch (IllegalArgumentException e) {
        return; // not an event of ours (nothing else is written to these topics)
      }
      if (types != null && !types.contains(event.type())) {
        return;
      }
      CloudEvent visible = EventScope.view(event, who.programId(), who.affiliateId());
      if (visible == null) {
        return;
      }
      send("id: " + position + "\nevent: " + visible.type() + "\ndata: " + visible.encode() + "\n\n");
    }

    /**
     * Writes, counting the bytes the socket has not taken yet: past {@link #HIGH_WATER} (or a full
     * write queue) the consumer pauses, below {@link #LOW_WATER} it resumes; paused for longer than
     * {@code api.events.slow_client_ms}, the client is disconnected.
     */
    private void send(String text) {
      int size = text.length();
      pending += size;
      response.write(text).onComplete(done -> {
        pending -= size;
        if (paused && pending <= LOW_WATER && !closed) {
          paused = false;
          vertx.cancelTimer(slowTimer);
          consumer.resume();
        }
      });
      if (!paused && (pending > HIGH_WATER || response.writeQueueFull())) {
        paused = true;
        consumer.pause();
        slowTimer = vertx.setTimer(config.slowClientMs(), t -> {
          if (paused && !closed) {
            LOG.info("event stream of key {} disconnected: its client read nothing for {} ms", who.keyId(),
                config.slowClientMs());
            response.reset();
            close();
          }
        });
      }
    }

    private void fail(String where, Throwable e) {
      LOG.warn("event stream of key {} failed ({}): {}", who.keyId(), where, e.toString());
      if (response.headWritten() && !response.ended()) {
        response.reset();
      }
      close();
    }

    private void close() {
      if (closed) {
        return;
      }
      closed = true;
      count.decrementAndGet();
      if (heartbeat >= 0) {
        vertx.cancelTimer(heartbeat);
      }
      if (slowTimer >= 0) {
        vertx.cancelTimer(slowTimer);
      }
      consumer.close().onFailure(e -> LOG.debug("closing a stream's consumer: {}", e.toString()));
    }
  }

  /** The types= filter: null for all; every name must be a type the engine emits. */
  static Set<String> types(java.util.List<String> params) {
    if (params.isEmpty()) {
      return null;
    }
    Set<String> out = new HashSet<>();
    for (String param : params) {
      for (String type : param.split(",")) {
        String t = type.trim();
        if (!TYPES.contains(t)) {
          throw HttpError.badRequest("types: unknown event type '" + t + "' (see docs/events/README.md)");
        }
        out.add(t);
      }
    }
    return out;
  }

  private static Set<String> declaredTypes() {
    Set<String> out = new HashSet<>();
    for (Field f : EventTypes.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        try {
          out.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return Set.copyOf(out);
  }
}
