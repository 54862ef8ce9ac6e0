package io.tracklane.testing;

import io.tracklane.domain.ClickIdCodec;
import io.tracklane.domain.EventIds;
import io.tracklane.domain.PostedAmount;
import io.tracklane.domain.Refunds;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.CloudEventRecords;
import io.tracklane.firehose.EventTypes;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Talks to a test engine's ledger the way the edge does: facts straight onto its facts topic (with
 * chosen times and partitions), click ids signed with its keys, and SQL reads of what it wrote.
 */
public final class Facts implements AutoCloseable {
  private final TestEngine engine;
  private final KafkaProducer<String, byte[]> producer;
  private final ClickIdCodec clickIds;

  public Facts(TestEngine engine) {
    this.engine = engine;
    Properties p = new Properties();
    p.put("bootstrap.servers", engine.config().kafka().bootstrapServers());
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    p.put("acks", "all");
    p.put("linger.ms", "5");
    this.producer = new KafkaProducer<>(p);
    this.clickIds = new ClickIdCodec(engine.config().clickId().keys(), engine.config().clickId().currentKeyId(),
        ThreadLocalRandom.current());
  }

  /** A click id for the link as the edge would have issued it at {@code at}. */
  public String clickId(long linkId, Instant at) {
    return clickIds.issue(linkId, at).value();
  }

  /** A postback fact with the edge's deterministic id. */
  public static CloudEvent postback(long programId, Instant at, JsonObject data) {
    String kind = data.getString("event", "sale");
    data.put("event", kind).put("trust", "server");
    return new CloudEvent(postbackId(programId, kind, data), EventTypes.POSTBACK_RECEIVED, programId, at, data);
  }

  /**
   * The id the edge gives the postback (PostbackHandler.record): a refund's includes its identity among
   * its sale's refunds, so two refunds of one sale are two facts (one id would make the second overwrite
   * the first's stored payload while both wait for their sale).
   */
  private static String postbackId(long programId, String kind, JsonObject data) {
    String transactionId = data.getString("transaction_id");
    if (!"refund".equals(kind)) {
      return EventIds.postback(programId, kind, transactionId);
    }
    Long minor = data.getLong("amount_minor");
    BigDecimal major = minor == null ? null
        : new PostedAmount(minor, data.getString("amount"), data.getString("currency")).major();
    return EventIds.refund(programId, transactionId, Refunds.identity(data.getString("refund_id"), major));
  }

  public void send(CloudEvent event) {
    send(null, event);
  }

  /** Sends to a given partition (null: by key, as the edge does) and waits for the broker. */
  public void send(Integer partition, CloudEvent event) {
    try {
      producer.send(CloudEventRecords.record(engine.config().kafka().topicFacts(), partition, event)).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public void flush() {
    producer.flush();
  }

  /** Runs a query on the engine's pool and returns the rows. */
  public List<Row> sql(String sql, Object... args) {
    List<Row> out = new ArrayList<>();
    TestEngine.await(engine.engine().pool().preparedQuery(sql).execute(Tuple.wrap(args))).forEach(out::add);
    return out;
  }

  public long scalar(String sql, Object... args) {
    Row row = sql(sql, args).get(0);
    Long value = row.getLong(0);
    return value == null ? 0 : value;
  }

  /** Waits until the query's single number equals {@code expected}. */
  public void awaitScalar(long expected, Duration timeout, String sql, Object... args) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long last = -1;
    while (System.nanoTime() < deadline) {
      last = scalar(sql, args);
      if (last == expected) {
        return;
      }
      Http.sleep(100);
    }
    throw new AssertionError("expected " + expected + " from [" + sql + "] within " + timeout + ", last " + last);
  }

  /** Every event on the changes topic so far, read from the beginning. */
  public List<JsonObject> changes(Duration wait) {
    Properties p = new Properties();
    p.put("bootstrap.servers", engine.config().kafka().bootstrapServers());
    p.put("group.id", "reader-" + UUID.randomUUID());
    p.put("auto.offset.reset", "earliest");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    List<JsonObject> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(engine.config().kafka().topicChanges()));
      long deadline = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(new JsonObject(r.value()));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    producer.close();
  }
}
