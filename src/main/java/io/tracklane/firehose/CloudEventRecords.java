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
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The one place a firehose event becomes a Kafka record, and back: CloudEvents Kafka protocol
 * binding, structured mode. The value is the event as {@code application/cloudevents+json} (the
 * JSON of {@link CloudEvent#encode}: the event format's attributes, {@code programid} as an
 * extension, {@code data} as JSON) and the record carries the header
 * {@code content-type: application/cloudevents+json}; the key is the program id, so one program's
 * events stay on one partition. The bytes are written directly, not through the SDK's event model
 * (which cost more than the rest of the outbox relay); the SDK reads them back as it reads its own
 * (CloudEventRecordsTest), and the consumers read them with the SDK. Pure functions, no Vert.x:
 * every producer (the edge, the outbox relay, retries) builds its records here.
 */
public final class CloudEventRecords {
  /** The SDK's JSON event format ({@code application/cloudevents+json}). */
  public static final EventFormat FORMAT = new JsonFormat();
  /** Extension attribute carrying the program id, as a string. */
  public static final String PROGRAM_ID = "programid";
  private static final String SOURCE_PREFIX = "/tracklane/programs/";
  private static final List<Header> HEADERS = List.of(new RecordHeader("content-type",
      FORMAT.serializedContentType().getBytes(StandardCharsets.US_ASCII)));

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
    return record(topic, partition, encode(event));
  }

  /** The record of an event already encoded, on a given partition (null: by key). */
  public static ProducerRecord<String, byte[]> record(String topic, Integer partition, Encoded encoded) {
    return new ProducerRecord<>(topic, partition, encoded.key(), encoded.value(), encoded.headers());
  }

  /** Key, headers ({@code content-type}) and value bytes of the event's record. */
  public static Encoded encode(CloudEvent event) {
    return structured(event.programId(), event.encode().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The record parts of an event stored as {@link CloudEvent#encode} wrote it (the outbox's
   * payload), without reading it again: its program's key and the structured-mode header.
   */
  public static Encoded structured(long programId, byte[] json) {
    return new Encoded(Long.toString(programId), HEADERS, json);
  }

  /** Reads a record written in either CloudEvents Kafka mode; throws IllegalArgumentException if it is not ours. */
  public static CloudEvent decode(ConsumerRecord<?, byte[]> record) {
    try {
      return fromSdk(KafkaMessageFactory.createReader(record.headers(), record.value()).toEvent());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a Tracklane CloudEvent: " + e.getMessage(), e);
    }
  }

  /** The SDK's view of the event (data as application/json bytes): for tests comparing with the SDK's writer. */
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
