package io.tracklane.firehose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cloudevents.kafka.KafkaMessageFactory;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The record encoding, read back with the CloudEvents SDK's own Kafka reader. */
class CloudEventRecordsTest {
  private static final CloudEvent EVENT = new CloudEvent("clk_1", EventTypes.CLICK_RECORDED, 42,
      Instant.parse("2026-11-21T20:21:39.118741144Z"), new JsonObject().put("click_id", "c").put("link_id", 7));

  @Test
  void structuredModeWithContentTypeHeaderAndProgramKey() {
    ProducerRecord<String, byte[]> record = CloudEventRecords.record("t", EVENT);
    assertEquals("42", record.key());
    assertEquals("application/cloudevents+json",
        new String(record.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8));
    JsonObject value = new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
    assertEquals("1.0", value.getString("specversion"));
    assertEquals("/tracklane/programs/42", value.getString("source"));
    assertEquals("42", value.getString("programid"));
    assertEquals(EVENT.data(), value.getJsonObject("data"));
    assertEquals(EVENT, CloudEvent.decode(value.encode()));
  }

  @Test
  void theSdkReaderReadsTheRecordBack() {
    ProducerRecord<String, byte[]> sent = CloudEventRecords.record("t", 3, EVENT);
    ConsumerRecord<String, byte[]> received = new ConsumerRecord<>("t", 3, 0L, sent.key(), sent.value());
    sent.headers().forEach(h -> received.headers().add(h));
    io.cloudevents.CloudEvent read = KafkaMessageFactory.createReader(received).toEvent();
    assertEquals("clk_1", read.getId());
    assertEquals(EventTypes.CLICK_RECORDED, read.getType());
    assertEquals(EVENT, CloudEventRecords.fromSdk(read));
    assertEquals(EVENT, CloudEventRecords.decode(received));
  }

  @Test
  void encodedCarriesTheSameHeadersAndBytes() {
    CloudEventRecords.Encoded encoded = CloudEventRecords.encode(EVENT);
    ProducerRecord<String, byte[]> record = CloudEventRecords.record("t", EVENT);
    assertEquals(record.key(), encoded.key());
    assertEquals(new String(record.value(), StandardCharsets.UTF_8), new String(encoded.value(), StandardCharsets.UTF_8));
    assertEquals(1, encoded.headers().size());
  }

  @Test
  void theSdkReadsTheDirectRecordAsItReadsItsOwn() {
    JsonObject data = new JsonObject().put("quote", "a\"b\\c").put("unicode", "é 日本 😀").put("control", "\n\t\u0001")
        .put("amount_minor", 1999L).put("nested", new JsonObject().put("list", List.of(1, "two", true)))
        .putNull("nothing");
    CloudEvent event = new CloudEvent("conv_9", EventTypes.CONVERSION_CREATED, 7,
        Instant.parse("2026-11-22T11:00:00.000000001Z"), data);
    ProducerRecord<String, byte[]> direct = CloudEventRecords.record("t", 1, event);
    ProducerRecord<String, byte[]> sdk = KafkaMessageFactory.createWriter("t", 1, null, event.kafkaKey())
        .writeStructured(CloudEventRecords.toSdk(event), CloudEventRecords.FORMAT);
    io.cloudevents.CloudEvent fromDirect = KafkaMessageFactory.createReader(received(direct)).toEvent();
    io.cloudevents.CloudEvent fromSdk = KafkaMessageFactory.createReader(received(sdk)).toEvent();
    assertEquals(fromSdk.getId(), fromDirect.getId());
    assertEquals(fromSdk.getSource(), fromDirect.getSource());
    assertEquals(fromSdk.getType(), fromDirect.getType());
    assertEquals(fromSdk.getTime(), fromDirect.getTime());
    assertEquals(fromSdk.getDataContentType(), fromDirect.getDataContentType());
    assertEquals(fromSdk.getExtension(CloudEventRecords.PROGRAM_ID), fromDirect.getExtension(CloudEventRecords.PROGRAM_ID));
    assertEquals(new JsonObject(new String(fromSdk.getData().toBytes(), StandardCharsets.UTF_8)),
        new JsonObject(new String(fromDirect.getData().toBytes(), StandardCharsets.UTF_8)));
    assertEquals(event, CloudEventRecords.fromSdk(fromDirect));
    assertEquals(sdk.key(), direct.key());
    assertEquals(new String(sdk.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8),
        new String(direct.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8));
  }

  @Test
  void aStoredPayloadIsSentAsItIs() {
    byte[] payload = EVENT.encode().getBytes(StandardCharsets.UTF_8);
    ProducerRecord<String, byte[]> relayed = CloudEventRecords.record("t", null, CloudEventRecords.structured(42, payload));
    ProducerRecord<String, byte[]> built = CloudEventRecords.record("t", EVENT);
    assertEquals(built.key(), relayed.key());
    assertEquals(new String(built.value(), StandardCharsets.UTF_8), new String(relayed.value(), StandardCharsets.UTF_8));
    assertEquals(EVENT, CloudEventRecords.decode(received(relayed)));
  }

  private static ConsumerRecord<String, byte[]> received(ProducerRecord<String, byte[]> sent) {
    ConsumerRecord<String, byte[]> received = new ConsumerRecord<>(sent.topic(), 0, 0L, sent.key(), sent.value());
    sent.headers().forEach(h -> received.headers().add(h));
    return received;
  }

  @Test
  void aPlainRecordIsNotACloudEvent() {
    ConsumerRecord<String, byte[]> plain = new ConsumerRecord<>("t", 0, 0L, "42", "{}".getBytes(StandardCharsets.UTF_8));
    assertEquals(0, new RecordHeaders(plain.headers().toArray()).toArray().length);
    assertThrows(IllegalArgumentException.class, () -> CloudEventRecords.decode(plain));
  }
}
