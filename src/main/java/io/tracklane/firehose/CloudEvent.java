package io.tracklane.firehose;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A CloudEvents 1.0 event; {@link CloudEventRecords} turns it into a Kafka record (structured mode). The Kafka key is the program id, so one
 * program's events keep their order within a partition.
 */
public record CloudEvent(String id, String type, long programId, Instant time, JsonObject data) {
  private static final String SOURCE_PREFIX = "/tracklane/programs/";

  public String kafkaKey() {
    return Long.toString(programId);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("specversion", "1.0")
        .put("id", id)
        .put("source", SOURCE_PREFIX + programId)
        .put("type", type)
        .put("time", time.toString())
        .put("datacontenttype", "application/json")
        .put("programid", Long.toString(programId))
        .put("data", data);
  }

  public String encode() {
    return toJson().encode();
  }

  /** Parses an event written by {@link #encode()}; throws IllegalArgumentException when malformed. */
  public static CloudEvent decode(String text) {
    try {
      JsonObject json = new JsonObject(text);
      String id = require(json.getString("id"), "id");
      String type = require(json.getString("type"), "type");
      long programId = Long.parseLong(require(json.getString("programid"), "programid"));
      Instant time = Instant.parse(require(json.getString("time"), "time"));
      JsonObject data = json.getJsonObject("data");
      if (data == null) {
        throw new IllegalArgumentException("data is missing");
      }
      return new CloudEvent(id, type, programId, time, data);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a Tracklane CloudEvent: " + e.getMessage(), e);
    }
  }

  private static String require(String value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " is missing");
    }
    return value;
  }
}
