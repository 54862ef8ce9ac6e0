package io.tracklane.firehose;

import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The one place a firehose event becomes a Kafka record, and back: CloudEvents Kafka protocol
 * binding, structured mode, written by the CloudEvents SDK. The value is the event as
 * {@code application/cloudevents+json} and the record carries the header
 * {@code content-type: application/cloudevents+json}; the key is the program id, so one program's
 * events stay on one partition. Pure functions, no Vert.x: every producer (the edge, the outbox
 * relay, retries) builds its records here.
 */
public final class CloudEventRecords {
  /** The SDK's JSON event format ({@code application/cloudevents+json}). */
  public static final EventFormat FORMAT = new JsonFormat();
  /** Extension attribute carrying the program id, as a string. */
  public static final String PROGRAM_ID = "programid";
  private static final String SOURCE_PREFIX = "/tracklane/programs/";

  private CloudEventRecords() {
  }

  /** A record's key, headers and value, for producers that build their own {@link ProducerRecord}. */
  public record Encoded(String key, List<Header> headers, byte[] value) {
  }

  /** The record for {@code event} on {@code topic}, partitioned by its key (the program id). */
  public static ProducerRecord<String, byte[]> record(String topic, CloudEvent event) {
    return record(topic, null, event);
  }

  /** The record for {@code event} on {@code topic}, on a given partition (null: by key). */
  public static ProducerRecord<String, byte[]> record(String topic, Integer partition, CloudEvent event) {
    return KafkaMessageFactory.createWriter(topic, partition, null, event.kafkaKey())
        .writeStructured(toSdk(event), FORMAT);
  }

  /** Key, headers ({@code content-type}) and value bytes of the event's record. */
  public static Encoded encode(CloudEvent event) {
    ProducerRecord<String, byte[]> record = record("unused", event);
    return new Encoded(record.key(), List.of(record.headers().toArray()), record.value());
  }

  /** Reads a record written in either CloudEvents Kafka mode; throws IllegalArgumentException if it is not ours. */
  public static CloudEvent decode(ConsumerRecord<?, byte[]> record) {
    try {
      return fromSdk(KafkaMessageFactory.createReader(record.headers(), record.value()).toEvent());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a Tracklane CloudEvent: " + e.getMessage(), e);
    }
  }

  /** The SDK's view of the event (data as application/json bytes). */
  public static io.cloudevents.CloudEvent toSdk(CloudEvent event) {
    return CloudEventBuilder.v1()
        .withId(event.id())
        .withSource(URI.create(SOURCE_PREFIX + event.programId()))
        .withType(event.type())
        .withTime(event.time().atOffset(ZoneOffset.UTC))
        .withExtension(PROGRAM_ID, Long.toString(event.programId()))
        .withData("application/json", event.data().toBuffer().getBytes())
        .build();
  }

  /** Our event from the SDK's; throws IllegalArgumentException when an attribute we need is missing. */
  public static CloudEvent fromSdk(io.cloudevents.CloudEvent event) {
    Object program = event.getExtension(PROGRAM_ID);
    if (program == null || event.getTime() == null || event.getData() == null) {
      throw new IllegalArgumentException("programid, time or data is missing");
    }
    String data = new String(event.getData().toBytes(), StandardCharsets.UTF_8);
    return new CloudEvent(event.getId(), event.getType(), Long.parseLong(program.toString()),
        event.getTime().toInstant(), new io.vertx.core.json.JsonObject(data));
  }
}
