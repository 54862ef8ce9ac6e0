package io.tracklane.webhooks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tracklane.api.WebhooksHandler;
import io.tracklane.config.AppConfig;
import io.tracklane.config.AppConfig.WebhooksConfig;
import io.tracklane.domain.PostbackMacros;
import io.tracklane.domain.RetrySchedule;
import io.tracklane.domain.SecretBox;
import io.tracklane.domain.WebhookSignatures;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.ledger.Outbox;
import io.tracklane.ledger.OutboxRelay;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhooks role. Its consumer group reads the changes topic and writes one delivery per
 * matching endpoint (idempotent: the same event read again adds nothing), then commits. Its
 * scheduler claims due deliveries from PostgreSQL ({@code FOR UPDATE SKIP LOCKED}, leased by moving
 * {@code next_attempt_at} past the attempt's time limit, so several processes share the work and a
 * killed one's deliveries are claimed again once the lease ends), attempts them, and records each
 * attempt with the next retry or the outcome. An endpoint's attempts within one batch run one
 * after the other, so an opening breaker holds the rest. Delivered and failed events go through
 * the outbox to the changes topic.
 */
public final class WebhooksVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WebhooksVerticle.class);
  private static final String FANOUT = """
      INSERT INTO webhook_deliveries (program_id, endpoint_id, event_id, event, context, occurred_at, give_up_at)
      SELECT w.program_id, w.id, $2, $3, $4, $5, now() + make_interval(secs => $7)
        FROM webhook_endpoints w
       WHERE w.program_id = $1 AND w.state = 'active' AND $3 = ANY(w.events)
         AND (w.affiliate_id IS NULL OR w.affiliate_id = $6)
      ON CONFLICT (endpoint_id, event_id) DO NOTHING""";
  private static final String CLAIM = """
      UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2), updated_at = now()
        FROM webhook_endpoints w
       WHERE w.id = d.endpoint_id AND d.id IN (
             SELECT d2.id FROM webhook_deliveries d2 JOIN webhook_endpoints w2 ON w2.id = d2.endpoint_id
              WHERE d2.status = 'pending' AND d2.next_attempt_at <= now() AND w2.state = 'active'
                AND (w2.breaker_open_until IS NULL OR w2.breaker_open_until <= now())
              ORDER BY d2.next_attempt_at LIMIT $1 FOR UPDATE OF d2 SKIP LOCKED)
      RETURNING d.id, d.program_id, d.endpoint_id, d.event_id, d.event, d.context, d.occurred_at, d.attempt_count,
                d.give_up_at, w.affiliate_id, w.url, w.method, w.secret_encrypted""";
  private static final String ATTEMPT = """
      INSERT INTO webhook_attempts (delivery_id, program_id, attempted_at, status_code, latency_ms, error, response_body)
      VALUES ($1, $2, $3, $4, $5, $6, $7)""";
  private static final String DELIVERED = """
      UPDATE webhook_deliveries SET status = 'delivered', attempt_count = attempt_count + 1, delivered_at = now(),
             last_error = NULL, updated_at = now()
       WHERE id = $1 RETURNING attempt_count""";
  private static final String RETRY = """
      UPDATE webhook_deliveries SET attempt_count = attempt_count + 1, last_error = $2, updated_at = now(),
             status = CASE WHEN now() + make_interval(secs => $3) > give_up_at THEN 'failed' ELSE 'pending' END,
             next_attempt_at = now() + make_interval(secs => $3)
       WHERE id = $1 RETURNING attempt_count, status""";
  private static final String ENDPOINT_OK = """
      UPDATE webhook_endpoints SET consecutive_failures = 0, breaker_open_until = NULL WHERE id = $1""";
  private static final String ENDPOINT_FAILED = """
      UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1,
             breaker_open_until = CASE WHEN consecutive_failures + 1 >= $2
                                       THEN now() + make_interval(secs => $3) ELSE breaker_open_until END
       WHERE id = $1 RETURNING breaker_open_until""";
  private static final String LOCK_ENDPOINT = "SELECT id FROM webhook_endpoints WHERE id = $1 FOR UPDATE";
  private static final String HOLD = """
      UPDATE webhook_deliveries SET next_attempt_at = $2 WHERE id = $1 AND status = 'pending'""";
  private static final String POSTBACK_DELIVERED = EventTypes.PARTNER_POSTBACK_DELIVERED;
  private static final String POSTBACK_FAILED = EventTypes.PARTNER_POSTBACK_FAILED;

  private final AppConfig config;
  private final WebhooksConfig hooks;
  private final Pool pool;
  private final OutboxRelay relay;
  private final AtomicBoolean subscribed;
  private final Outbox outbox = new Outbox();
  private final RetrySchedule schedule;
  private final SecretBox secrets;
  private final Counter delivered;
  private final Counter failedAttempts;
  private final Counter givenUp;
  private final Timer latency;
  private WebhookSender sender;
  private KafkaConsumer<String, String> consumer;
  private volatile boolean stopping;
  private Promise<Void> consumerDone;
  private long timer;
  private boolean claiming;
  private Future<Void> inFlight = Future.succeededFuture();

  public WebhooksVerticle(AppConfig config, Pool pool, OutboxRelay relay, MeterRegistry registry,
      AtomicBoolean subscribed) {
    this.config = config;
    this.hooks = config.webhooks();
    this.pool = pool;
    this.relay = relay;
    this.subscribed = subscribed;
    this.schedule = new RetrySchedule(Duration.ofMillis(hooks.backoffBaseMs()), Duration.ofMillis(hooks.backoffMaxMs()));
    this.secrets = new SecretBox(hooks.secretKey());
    this.delivered = Counter.builder("tracklane_webhooks_delivered").description("Partner postbacks delivered")
        .register(registry);
    this.failedAttempts = Counter.builder("tracklane_webhooks_failed_attempts")
        .description("Partner postback attempts that failed (each is retried until the window ends)")
        .register(registry);
    this.givenUp = Counter.builder("tracklane_webhooks_failed").description("Partner postbacks given up (failed)")
        .register(registry);
    this.latency = Timer.builder("tracklane_webhooks_attempt_latency").description("Partner postback attempts")
        .register(registry);
  }

  @Override
  public Future<?> start() {
    sender = new WebhookSender(vertx, hooks);
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", config.kafka().bootstrapServers());
    props.put("group.id", hooks.consumerGroup());
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", "earliest");
    props.put("max.poll.records", "500");
    props.put("isolation.level", "read_committed");
    props.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    props.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    consumer = KafkaConsumer.create(vertx, props);
    consumer.exceptionHandler(e -> LOG.warn("webhooks consumer: {}", e.toString()));
    consumerDone = Promise.promise();
    timer = vertx.setPeriodic(hooks.pollMs(), id -> deliverDue());
    return consumer.subscribe(config.kafka().topicChanges()).onSuccess(v -> {
      subscribed.set(true);
      consume(0);
    });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    return consumerDone.future().eventually(() -> consumer.close())
        .eventually(() -> inFlight.recover(e -> Future.succeededFuture()))
        .eventually(() -> sender.close());
  }

  // ---- the consumer: events to deliveries ----

  private void consume(long backoffMs) {
    if (stopping) {
      consumerDone.tryComplete();
      return;
    }
    consumer.poll(Duration.ofMillis(200)).compose(this::fanOut).onSuccess(v -> consume(0)).onFailure(e -> {
      long next = Math.min(5000, backoffMs == 0 ? 200 : backoffMs * 2);
      LOG.warn("webhooks consumer batch failed, retrying in {} ms: {}", next, e.toString());
      vertx.setTimer(next, id -> consume(next));
    });
  }

  private Future<Void> fanOut(KafkaConsumerRecords<String, String> records) {
    if (records.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<TopicPartition, Long> first = new LinkedHashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    List<CloudEvent> events = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, String> record = records.recordAt(i);
      TopicPartition tp = new TopicPartition(record.topic(), record.partition());
      first.putIfAbsent(tp, record.offset());
      next.put(tp, new OffsetAndMetadata(record.offset() + 1, ""));
      try {
        events.add(CloudEvent.decode(record.value()));
      } catch (IllegalArgumentException e) {
        LOG.warn("webhooks: skipping a record that is not a CloudEvent at {}@{}: {}", tp, record.offset(),
            e.getMessage());
      }
    }
    return pool.withTransaction(tx -> {
      Future<Void> chain = Future.succeededFuture();
      for (CloudEvent event : events) {
        chain = chain.compose(v -> PostbackEvents.resolve(tx, event)).compose(resolved -> resolved == null
            ? Future.succeededFuture()
            : tx.preparedQuery(FANOUT).execute(Tuple.of(event.programId(), event.id(), resolved.name(),
                    resolved.context(), event.time().atOffset(java.time.ZoneOffset.UTC), resolved.affiliateId(),
                    hooks.retryWindowSeconds())).mapEmpty());
      }
      return chain;
    }).compose(v -> consumer.commit(next)).<Void>mapEmpty().onSuccess(v -> deliverDue())
        .recover(e -> {
          List<Future<Void>> seeks = new ArrayList<>();
          first.forEach((tp, offset) -> seeks.add(consumer.seek(tp, offset)));
          return Future.all(seeks).compose(x -> Future.failedFuture(e));
        });
  }

  // ---- the scheduler: due deliveries to attempts ----

  private void deliverDue() {
    if (claiming || stopping) {
      return;
    }
    claiming = true;
    int leaseSeconds = (int) Math.ceil(hooks.timeoutMs() * 2 / 1000.0) + 5;
    Promise<Void> round = Promise.promise();
    inFlight = round.future();
    pool.preparedQuery(CLAIM).execute(Tuple.of(hooks.batch(), leaseSeconds)).compose(rows -> {
      Map<Long, List<Row>> byEndpoint = new LinkedHashMap<>();
      rows.forEach(r -> byEndpoint.computeIfAbsent(r.getLong("endpoint_id"), k -> new ArrayList<>()).add(r));
      List<Future<Void>> endpoints = new ArrayList<>();
      byEndpoint.values().forEach(list -> endpoints.add(inTurn(list, 0)));
      return Future.join(endpoints).map(rows.size());
    }).onComplete(r -> {
      claiming = false;
      round.complete();
      if (r.failed()) {
        LOG.warn("webhooks: claiming due deliveries failed: {}", r.cause().toString());
        return;
      }
      if (r.result() > 0) {
        relay.flush().onFailure(e -> LOG.warn("webhooks: outbox relay failed: {}", e.toString()));
      }
      if (r.result() == hooks.batch()) {
        vertx.runOnContext(v -> deliverDue());
      }
    });
  }

  /** One endpoint's claimed deliveries, one after the other; once its breaker opens, the rest wait. */
  private Future<Void> inTurn(List<Row> deliveries, int index) {
    if (index >= deliveries.size()) {
      return Future.succeededFuture();
    }
    return attempt(deliveries.get(index)).compose(openUntil -> {
      if (openUntil != null) {
        List<Future<Void>> holds = new ArrayList<>();
        for (int i = index + 1; i < deliveries.size(); i++) {
          holds.add(pool.preparedQuery(HOLD).execute(Tuple.of(deliveries.get(i).getLong("id"), openUntil)).mapEmpty());
        }
        return Future.all(holds).mapEmpty();
      }
      return inTurn(deliveries, index + 1);
    }, e -> {
      LOG.warn("webhooks: recording an attempt failed (retried after the lease): {}", e.toString());
      return inTurn(deliveries, index + 1);
    });
  }

  /** Sends one delivery and records the attempt; yields when the endpoint's breaker opened, else null. */
  private Future<OffsetDateTime> attempt(Row d) {
    long id = d.getLong("id");
    long program = d.getLong("program_id");
    long endpoint = d.getLong("endpoint_id");
    JsonObject context = (JsonObject) d.getJson("context");
    String event = d.getString("event");
    String url = d.getString("url");
    boolean post = "POST".equals(d.getString("method"));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("User-Agent", "Tracklane-Webhooks/1");
    String body = null;
    String target = url;
    Instant attemptedAt = Instant.now();
    if (post) {
      body = new JsonObject().put("type", event).put("timestamp", context.getString("occurred_at"))
          .put("data", payload(context)).encode();
      String messageId = "msg_" + id;
      long ts = attemptedAt.getEpochSecond();
      String secret;
      try {
        secret = secrets.open(d.getString("secret_encrypted"), WebhooksHandler.aad(program, endpoint));
      } catch (IllegalArgumentException e) {
        return record(d, new WebhookSender.Outcome(null, null, e.getMessage(), 0), attemptedAt);
      }
      headers.add("Content-Type", "application/json").add("webhook-id", messageId)
          .add("webhook-timestamp", Long.toString(ts))
          .add("webhook-signature", WebhookSignatures.sign(secret, messageId, ts, body));
    } else {
      Map<String, String> values = new HashMap<>();
      for (String name : PostbackMacros.NAMES) {
        values.put(name, context.getString(name));
      }
      target = PostbackMacros.render(url, values);
    }
    return sender.send(target, post ? HttpMethod.POST : HttpMethod.GET, headers, body)
        .compose(outcome -> record(d, outcome, attemptedAt));
  }

  /** The POST body's data: the delivery's values, without the bookkeeping fields. */
  private static JsonObject payload(JsonObject context) {
    JsonObject data = context.copy();
    data.remove("occurred_at");
    return data;
  }

  private Future<OffsetDateTime> record(Row d, WebhookSender.Outcome outcome, Instant attemptedAt) {
    long id = d.getLong("id");
    long program = d.getLong("program_id");
    long endpoint = d.getLong("endpoint_id");
    latency.record(outcome.latencyMs(), TimeUnit.MILLISECONDS);
    String error = outcome.delivered() ? null : outcome.error() != null ? outcome.error()
        : "answered " + outcome.status() + (outcome.status() >= 300 && outcome.status() < 400
            ? " (redirects are not followed)" : "");
    int failures = d.getInteger("attempt_count") + 1;
    double delaySeconds = schedule.delay(failures, () -> ThreadLocalRandom.current().nextDouble()).toMillis() / 1000.0;
    // The endpoint is locked first, as a change or deletion through the API locks it: one lock order.
    return pool.withTransaction(tx -> tx.preparedQuery(LOCK_ENDPOINT).execute(Tuple.of(endpoint))
        .compose(locked -> tx.preparedQuery(ATTEMPT).execute(Tuple.of(id, program,
            attemptedAt.atOffset(java.time.ZoneOffset.UTC), outcome.status(), (int) Math.min(Integer.MAX_VALUE,
                outcome.latencyMs()), error, outcome.body()))
        .compose(v -> {
          if (outcome.delivered()) {
            return tx.preparedQuery(DELIVERED).execute(Tuple.of(id))
                .compose(rows -> emit(tx, d, POSTBACK_DELIVERED, rows.iterator().next().getInteger("attempt_count"),
                    outcome, null))
                .compose(v2 -> tx.preparedQuery(ENDPOINT_OK).execute(Tuple.of(endpoint)))
                .map(v2 -> (OffsetDateTime) null);
          }
          return tx.preparedQuery(RETRY).execute(Tuple.of(id, error, delaySeconds)).compose(rows -> {
            Row r = rows.iterator().next();
            return "failed".equals(r.getString("status"))
                ? emit(tx, d, POSTBACK_FAILED, r.getInteger("attempt_count"), outcome, error).map(true)
                : Future.succeededFuture(false);
          }).compose(gaveUp -> tx.preparedQuery(ENDPOINT_FAILED).execute(Tuple.of(endpoint, hooks.breakerFailures(),
              hooks.breakerOpenSeconds())).map(rows -> {
                if (gaveUp) {
                  givenUp.increment();
                }
                return rows.iterator().next().getOffsetDateTime("breaker_open_until");
              }));
        }))).onSuccess(open -> {
          if (outcome.delivered()) {
            delivered.increment();
          } else {
            failedAttempts.increment();
          }
        });
  }

  private Future<Void> emit(io.vertx.sqlclient.SqlClient tx, Row d, String type, int attempts,
      WebhookSender.Outcome outcome, String error) {
    JsonObject context = (JsonObject) d.getJson("context");
    JsonObject data = new JsonObject()
        .put("delivery_id", Long.toString(d.getLong("id")))
        .put("endpoint_id", Long.toString(d.getLong("endpoint_id")))
        .put("endpoint_kind", d.getLong("affiliate_id") == null ? "webhook" : "affiliate_postback")
        // The endpoint's affiliate (null for an owner's webhook): an affiliate key's stream shows
        // the deliveries of its own postbacks only.
        .put("affiliate_id", d.getLong("affiliate_id") == null ? null : Long.toString(d.getLong("affiliate_id")))
        .put("event", d.getString("event"))
        .put("event_id", d.getString("event_id"))
        .put("method", d.getString("method"))
        .put("attempts", attempts)
        .put("status_code", outcome.status())
        .put("latency_ms", outcome.latencyMs());
    if (error != null) {
      data.put("error", error);
    }
    return outbox.emit(tx, new Outbox.Event(d.getLong("program_id"), Instant.now(), type,
        "delivery:" + d.getLong("id") + ":" + attempts, data));
  }
}
