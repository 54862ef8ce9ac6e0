package io.tracklane.edge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The click fact's hand-written encoder writes, byte for byte, what the CloudEvent's JSON tree
 * encodes to, whatever the strings hold (quotes, backslashes, control characters, any Unicode).
 */
class ClickFactTest {
  private static final List<String> NAMES = List.of("sub1", "sub2", "sub3", "sub4", "sub5", "source");

  @Property(tries = 5000)
  void theBytesAreTheCloudEventsJson(@ForAll("text") String ua, @ForAll("text") String sub, @ForAll("text") String ref,
      @ForAll boolean creditable, @ForAll("ids") long id) {
    List<String> subs = new ArrayList<>(List.of("", "x", "y", "z", "w", "news"));
    subs.set(1, sub);
    subs.set(3, null);
    Instant at = Instant.ofEpochMilli(1_790_000_000_000L + id % 1_000_000);
    byte[] fast = ClickFact.encode(new ClickFact.Click("clk_" + id, EventTypes.CLICK_RECORDED, id, at, "c" + id, id,
        id + 1, id + 2, creditable, "198.51.100.7", ua, subs, ref, List.of("bot", "duplicate"), !creditable), NAMES);
    JsonObject data = new JsonObject().put("click_id", "c" + id).put("link_id", id).put("campaign_id", id + 1)
        .put("affiliate_id", id + 2).put("creditable", creditable).put("ip", "198.51.100.7").put("user_agent", ua);
    for (int i = 0; i < NAMES.size(); i++) {
      data.put(NAMES.get(i), subs.get(i));
    }
    data.put("referer", ref).put("flags", List.of("bot", "duplicate")).put("unique", !creditable);
    CloudEvent tree = new CloudEvent("clk_" + id, EventTypes.CLICK_RECORDED, id, at, data);
    assertArrayEquals(tree.encode().getBytes(StandardCharsets.UTF_8), fast);
  }

  @Example
  void anUnpairedSurrogateBecomesTheReplacementCharacter() {
    byte[] fast = ClickFact.encode(new ClickFact.Click("clk_1", EventTypes.CLICK_RECORDED, 1, Instant.EPOCH, "c", 1, 2,
        3, true, null, "a\ud800b\udc00", List.of(), null, List.of(), true), List.of());
    assertEquals("a\ufffdb\ufffd",
        CloudEvent.decode(new String(fast, StandardCharsets.UTF_8)).data().getString("user_agent"));
  }

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(40).filter(ClickFactTest::wellFormed),
        Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(40),
        Arbitraries.of("\"quoted\" \\ back", "\n\r\t\b\f\u0001\u001f\u007f", "é ü 日本 😀 𝄞", "x".repeat(5000)),
        Arbitraries.just(null));
  }

  @Provide
  Arbitrary<Long> ids() {
    return Arbitraries.longs().between(1, Long.MAX_VALUE / 2);
  }

  private static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
