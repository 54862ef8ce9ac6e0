package io.tracklane.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's files without Kafka: what is appended is on disk in order, a new journal on the
 * same directory counts what was left, the quota refuses, a torn tail keeps what came before.
 * Also the click fact's streaming encoding and the in-process unique-visitor flag.
 */
class FactJournalTest {
  @TempDir
  Path dir;

  @Test
  void appendedFramesAreReadBackInOrderAndAReopenedJournalCountsThem() throws Exception {
    FactJournal journal = new FactJournal(dir, 1 << 20, 200, FactJournal.Fsync.ALWAYS, 1000, n -> { });
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      byte[] value = ("fact-" + i).getBytes(StandardCharsets.UTF_8);
      values.add(value);
      assertTrue(journal.append(JournalFormat.frame(new JournalFormat.Entry(new byte[] {1}, List.of(), value))));
    }
    assertEquals(50, journal.pending());
    journal.close();

    FactJournal again = new FactJournal(dir, 1 << 20, 200, FactJournal.Fsync.ALWAYS, 1000, n -> { });
    assertEquals(50, again.pending());
    List<byte[]> read = new ArrayList<>();
    FactJournal.Segment segment;
    while ((segment = again.oldest()) != null) {
      read.addAll(JournalFormat.read(Files.readAllBytes(segment.path())).entries().stream()
          .map(JournalFormat.Entry::value).toList());
      again.replayed(segment);
    }
    assertEquals(values.size(), read.size());
    for (int i = 0; i < values.size(); i++) {
      assertEquals(new String(values.get(i), StandardCharsets.UTF_8), new String(read.get(i), StandardCharsets.UTF_8));
    }
    assertEquals(0, again.pending());
    assertEquals(0, again.bytes());
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "replayed segments are deleted");
    }
    again.close();
  }

  @Test
  void theQuotaRefusesWhatDoesNotFit() {
    // Each frame: 8 (length, CRC) + 4 (key length) + 2 (header count) + 40 = 54 bytes.
    FactJournal journal = new FactJournal(dir, 120, 1 << 20, FactJournal.Fsync.NEVER, 1000, n -> { });
    byte[] frame = JournalFormat.frame(new JournalFormat.Entry(new byte[0], List.of(), new byte[40]));
    assertTrue(journal.append(frame));
    assertTrue(journal.append(frame));
    assertFalse(journal.append(frame), "past the quota");
    assertEquals(2, journal.pending());
    journal.close();
  }

  @Test
  void theActiveSegmentIsClosedWhenTheReplayAsksAndTheAgeIsKnown() throws Exception {
    FactJournal journal = new FactJournal(dir, 1 << 20, 1 << 20, FactJournal.Fsync.INTERVAL, 50, n -> { });
    journal.append(JournalFormat.frame(new JournalFormat.Entry(new byte[0], List.of(), new byte[10])));
    assertNull(journal.oldest(), "the only segment is still being written");
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    FactJournal.Segment closed = null;
    while (closed == null && System.nanoTime() < deadline) {
      Thread.sleep(20);
      closed = journal.oldest();
    }
    assertNotNull(closed);
    assertEquals(1, closed.records());
    assertTrue(journal.oldestAgeMillis(System.currentTimeMillis() + 1000) >= 1000);
    journal.close();
  }

  @Test
  void aClickFactIsTheSameJsonAsItsCloudEvent() {
    Instant at = Instant.parse("2026-11-22T05:00:00.123Z");
    List<String> names = List.of("sub1", "sub2", "source");
    List<String> subs = new ArrayList<>();
    subs.add("a\"b\\c\u00e9");
    subs.add(null);
    subs.add("news");
    byte[] fast = ClickFact.encode(new ClickFact.Click("clk_x", EventTypes.CLICK_RECORDED, 7, at, "x", 3, 4, 5, true,
        "198.51.100.7", null, subs, "https://ref.example/", List.of("duplicate"), false), names);
    JsonObject data = new JsonObject().put("click_id", "x").put("link_id", 3L).put("campaign_id", 4L)
        .put("affiliate_id", 5L).put("creditable", true).put("ip", "198.51.100.7").put("user_agent", null)
        .put("sub1", subs.get(0)).put("sub2", null).put("source", "news").put("referer", "https://ref.example/")
        .put("flags", List.of("duplicate")).put("unique", false);
    CloudEvent tree = new CloudEvent("clk_x", EventTypes.CLICK_RECORDED, 7, at, data);
    assertEquals(tree.toJson(), new JsonObject(new String(fast, StandardCharsets.UTF_8)));
    assertEquals(tree, CloudEvent.decode(new String(fast, StandardCharsets.UTF_8)));
  }

  @Test
  void aVisitorIsUniqueOncePerLinkWithinTheWindow() {
    UniqueVisitors visitors = new UniqueVisitors(1000, Duration.ofHours(1));
    assertTrue(visitors.first(1, "198.51.100.1", "Firefox"));
    assertFalse(visitors.first(1, "198.51.100.1", "Firefox"));
    assertTrue(visitors.first(2, "198.51.100.1", "Firefox"), "another link");
    assertTrue(visitors.first(1, "198.51.100.2", "Firefox"), "another address");
    assertTrue(visitors.first(1, "198.51.100.1", "Chrome"), "another agent");
    assertTrue(visitors.first(1, null, null));
    assertFalse(visitors.first(1, null, null));
  }
}
