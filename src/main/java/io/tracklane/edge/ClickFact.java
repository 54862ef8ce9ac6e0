package io.tracklane.edge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * Writes a click's CloudEvent (the same JSON as {@code CloudEvent.encode()}) straight to bytes with
 * a streaming generator: no JSON tree, no intermediate String, per click.
 */
final class ClickFact {
  private static final JsonFactory JSON = new JsonFactory();
  private static final String SOURCE_PREFIX = "/tracklane/programs/";

  private ClickFact() {
  }

  /** The fields of a click's data, in the order they are written. */
  record Click(String eventId, String type, long programId, Instant time, String clickId, long linkId,
      long campaignId, long affiliateId, boolean creditable, String ip, String userAgent, List<String> subs,
      String referer, List<String> flags, boolean unique) {
  }

  static byte[] encode(Click c, List<String> subNames) {
    ByteArrayBuilder out = new ByteArrayBuilder(512);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("specversion", "1.0");
      g.writeStringField("id", c.eventId());
      g.writeStringField("source", SOURCE_PREFIX + c.programId());
      g.writeStringField("type", c.type());
      g.writeStringField("time", c.time().toString());
      g.writeStringField("datacontenttype", "application/json");
      g.writeStringField("programid", Long.toString(c.programId()));
      g.writeObjectFieldStart("data");
      g.writeStringField("click_id", c.clickId());
      g.writeNumberField("link_id", c.linkId());
      g.writeNumberField("campaign_id", c.campaignId());
      g.writeNumberField("affiliate_id", c.affiliateId());
      g.writeBooleanField("creditable", c.creditable());
      nullable(g, "ip", c.ip());
      nullable(g, "user_agent", c.userAgent());
      for (int i = 0; i < subNames.size(); i++) {
        nullable(g, subNames.get(i), c.subs().get(i));
      }
      nullable(g, "referer", c.referer());
      g.writeArrayFieldStart("flags");
      for (String flag : c.flags()) {
        g.writeString(flag);
      }
      g.writeEndArray();
      g.writeBooleanField("unique", c.unique());
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void nullable(JsonGenerator g, String name, String value) throws IOException {
    if (value == null) {
      g.writeNullField(name);
    } else {
      g.writeStringField(name, value);
    }
  }
}
