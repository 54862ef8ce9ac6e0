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
    assertEquals(List.of(), segments(), "replayed segments are deleted");
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
  void writtenAheadFactsAreOnDiskAtOnceAndOnlyTheFailedOnesAreReplayed() throws Exception {
    FactJournal journal = new FactJournal(dir, 1 << 20, 1 << 20, FactJournal.Fsync.NEVER, 1000, n -> { });
    List<FactJournal.Written> written = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      written.add(journal.writeAhead(fact(i), false));
    }
    assertEquals(10, values(onlySegment()).size(), "in the file before any answer, written by the caller");
    assertEquals(0, journal.pending(), "nothing to replay while Kafka has not answered");
    for (int i = 0; i < 10; i++) {
      journal.acknowledged(written.get(i), i != 3 && i != 7);
    }
    assertEquals(2, journal.pending());
    FactJournal.Segment segment = awaitOldest(journal);
    assertEquals(2, segment.records());
    List<String> replay = new ArrayList<>();
    List<String> all = values(segment.path());
    for (int i = 0; i < all.size(); i++) {
      if (segment.sends(i)) {
        replay.add(all.get(i));
      }
    }
    assertEquals(List.of("fact-3", "fact-7"), replay);
    journal.replayed(segment);
    assertEquals(0, journal.pending());

    // All acknowledged: the segment is deleted once closed by age, nothing waits.
    for (int i = 10; i < 15; i++) {
      journal.acknowledged(journal.writeAhead(fact(i), false), true);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (journal.bytes() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, journal.bytes());
    assertEquals(List.of(), segments(), "acknowledged segments are deleted");
    assertNull(journal.oldest());
    journal.close();
  }

  @Test
  void aRestartReplaysEveryWrittenAheadFactNotKnownAcknowledged() throws Exception {
    FactJournal killed = new FactJournal(dir, 1 << 20, 1 << 20, FactJournal.Fsync.NEVER, 1000, n -> { });
    for (int i = 0; i < 5; i++) {
      killed.writeAhead(fact(i), false); // sent, never answered: the process dies
    }
    killed.abandon();
    FactJournal again = new FactJournal(dir, 1 << 20, 1 << 20, FactJournal.Fsync.NEVER, 1000, n -> { });
    assertEquals(5, again.pending());
    FactJournal.Segment segment = again.oldest();
    assertEquals(List.of("fact-0", "fact-1", "fact-2", "fact-3", "fact-4"), values(segment.path()));
    assertTrue(segment.sends(4));
    again.close();
    killed.close();
  }

  @Test
  void eachThreadWritesAheadToSegmentsOfItsOwnAndARestartReplaysBothInTheirOrder() throws Exception {
    FactJournal killed = new FactJournal(dir, 1 << 24, 1 << 24, FactJournal.Fsync.NEVER, 1000, n -> { });
    int each = 2_000;
    List<Thread> writers = new ArrayList<>();
    for (String prefix : List.of("a", "b")) {
      writers.add(new Thread(() -> {
        for (int i = 0; i < each; i++) {
          assertNotNull(killed.writeAhead(frame(String.format("%s-%05d", prefix, i)), false));
        }
      }));
    }
    writers.forEach(Thread::start);
    for (Thread t : writers) {
      t.join();
    }
    killed.abandon();

    // No segment mixes the two writers (each has its own lane), and each keeps its own order.
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    for (Path segment : segments()) {
      List<String> values = values(segment);
      assertEquals(1, values.stream().map(v -> v.charAt(0)).distinct().count(), segment + " holds one writer's facts");
      (values.get(0).startsWith("a") ? a : b).addAll(values);
    }
    FactJournal again = new FactJournal(dir, 1 << 24, 1 << 24, FactJournal.Fsync.NEVER, 1000, n -> { });
    assertEquals(2L * each, again.pending());
    List<String> replayed = new ArrayList<>();
    FactJournal.Segment segment;
    while ((segment = again.oldest()) != null) {
      replayed.addAll(values(segment.path()));
      again.replayed(segment);
    }
    assertEquals(2 * each, replayed.size());
    assertEquals(2 * each, replayed.stream().distinct().count(), "nothing twice");
    assertEquals(replayed.stream().filter(v -> v.startsWith("a")).toList(), a.stream().sorted().toList(),
        "a's facts replayed in a's order");
    assertEquals(replayed.stream().filter(v -> v.startsWith("b")).toList(), b.stream().sorted().toList(),
        "b's facts replayed in b's order");
    again.close();
    killed.close();
  }

  @Test
  void theQuotaIsSharedByTheThreadsThatWriteAhead() throws Exception {
    int size = frame("a-00000").length;
    FactJournal journal = new FactJournal(dir, 10L * size, 1 << 20, FactJournal.Fsync.NEVER, 1000, n -> { });
    java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> writers = new ArrayList<>();
    for (String prefix : List.of("a", "b")) {
      writers.add(new Thread(() -> {
        for (int i = 0; i < 20; i++) {
          if (journal.writeAhead(frame(String.format("%s-%05d", prefix, i)), true) != null) {
            accepted.incrementAndGet();
          }
        }
      }));
    }
    writers.forEach(Thread::start);
    for (Thread t : writers) {
      t.join();
    }
    assertEquals(10, accepted.get(), "the two writers together fill the quota, no more");
    assertEquals(10L * size, journal.bytes());
    journal.close();
  }

  @Test
  void aSecondJournalOnTheSameDirectoryIsRefusedUntilTheFirstIsClosed() {
    FactJournal first = new FactJournal(dir, 1 << 20, 1 << 20, FactJournal.Fsync.NEVER, 1000, n -> { });
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> new FactJournal(dir, 1 << 20, 1 << 20, FactJournal.Fsync.NEVER, 1000, n -> { }));
    assertTrue(e.getMessage().contains("in use by another process"), e.getMessage());
    first.close();
    FactJournal next = new FactJournal(dir, 1 << 20, 1 << 20, FactJournal.Fsync.NEVER, 1000, n -> { });
    assertEquals(0, next.pending());
    next.close();
  }

  private static byte[] frame(String value) {
    return JournalFormat.frame(new JournalFormat.Entry(new byte[] {1}, List.of(), value.getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] fact(int i) {
    return JournalFormat.frame(new JournalFormat.Entry(new byte[] {1}, List.of(),
        ("fact-" + i).getBytes(StandardCharsets.UTF_8)));
  }

  private Path onlySegment() throws Exception {
    List<Path> all = segments();
    assertEquals(1, all.size(), all.toString());
    return all.get(0);
  }

  /** The journal's files but its lock file. */
  private List<Path> segments() throws Exception {
    try (var files = Files.list(dir)) {
      return files.filter(f -> !f.getFileName().toString().equals(FactJournal.LOCK_FILE)).toList();
    }
  }

  private static List<String> values(Path segment) throws Exception {
    return JournalFormat.read(Files.readAllBytes(segment)).entries().stream()
        .map(e -> new String(e.value(), StandardCharsets.UTF_8)).toList();
  }

  private static FactJournal.Segment awaitOldest(FactJournal journal) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    FactJournal.Segment segment = journal.oldest();
    while (segment == null && System.nanoTime() < deadline) {
      Thread.sleep(20);
      segment = journal.oldest();
    }
    assertNotNull(segment);
    return segment;
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
