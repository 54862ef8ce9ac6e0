package io.tracklane.edge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's local append-only journal: facts Kafka could not take wait here, in segment files
 * under one directory, until they are replayed (see {@link FactSink}) and their segment deleted.
 *
 * <p>{@link #append} may be called from any thread and never blocks: it only reserves room against
 * the quota and queues the frame. One writer thread owns the files: it appends frames to the
 * active segment, syncs them to disk per the fsync policy, and closes the segment when it is full
 * or when the replayer asks for it. Only closed segments are replayed. On start, segments left by
 * an earlier run (a crash, a stop with Kafka down) are counted and replayed first.
 */
public final class FactJournal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FactJournal.class);

  /** When the writer forces appended frames to disk. */
  public enum Fsync {
    /** After every batch of frames it writes: nothing acknowledged by the journal is lost to a power cut. */
    ALWAYS,
    /** At most every fsync interval: a power cut loses at most that much; a process crash loses nothing. */
    INTERVAL,
    /** Left to the operating system: a process crash loses nothing, a power cut may. */
    NEVER;

    public static Fsync parse(String text) {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** A closed segment waiting for replay. */
  record Segment(Path path, long bytes, long records, long createdMillis) {
  }

  private final Path dir;
  private final long quotaBytes;
  private final long segmentBytes;
  private final Fsync fsync;
  private final long fsyncIntervalMs;
  private final java.util.function.LongConsumer onLost;
  private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
  private final ConcurrentLinkedDeque<Segment> closed = new ConcurrentLinkedDeque<>();
  /** Bytes reserved: queued frames plus every segment on disk. */
  private final AtomicLong bytes = new AtomicLong();
  /** Facts appended and not yet replayed. */
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong activeCreated = new AtomicLong();
  private volatile boolean rollRequested;
  private volatile boolean running = true;
  private final Thread writer;
  private long nextSequence;

  // Writer thread only.
  private FileChannel active;
  private Path activePath;
  private long activeBytes;
  private long activeRecords;
  private int writtenOfBatch;
  private long lastSync;
  private boolean dirty;

  /** {@code onLost} hears of facts accepted by {@link #append} that a failed disk write then lost. */
  public FactJournal(Path dir, long quotaBytes, long segmentBytes, Fsync fsync, long fsyncIntervalMs,
      java.util.function.LongConsumer onLost) {
    this.onLost = onLost;
    this.dir = dir;
    this.quotaBytes = quotaBytes;
    this.segmentBytes = segmentBytes;
    this.fsync = fsync;
    this.fsyncIntervalMs = fsyncIntervalMs;
    try {
      Files.createDirectories(dir);
      recover();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the fact journal in " + dir, e);
    }
    writer = new Thread(this::writeLoop, "tracklane-journal-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Counts what an earlier run left; those segments are replayed before anything new. */
  private void recover() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> JournalFormat.sequenceOf(p.getFileName().toString()).isPresent()).forEach(files::add);
    }
    files.sort(Comparator.comparing(p -> JournalFormat.sequenceOf(p.getFileName().toString()).orElseThrow()));
    for (Path file : files) {
      long size = Files.size(file);
      if (size == 0) {
        Files.delete(file);
        continue;
      }
      JournalFormat.Read read = JournalFormat.read(Files.readAllBytes(file));
      closed.add(new Segment(file, size, read.entries().size(), Files.getLastModifiedTime(file).toMillis()));
      bytes.addAndGet(size);
      pending.addAndGet(read.entries().size());
      nextSequence = JournalFormat.sequenceOf(file.getFileName().toString()).orElseThrow() + 1;
    }
    if (!files.isEmpty()) {
      LOG.info("fact journal: {} facts in {} segments left by an earlier run, replaying them first", pending.get(),
          closed.size());
    }
  }

  /**
   * Queues one frame (from {@link JournalFormat#frame}); false when the journal's quota has no
   * room for it, and the fact is then lost (the caller counts it).
   */
  public boolean append(byte[] frame) {
    while (true) {
      long now = bytes.get();
      if (now + frame.length > quotaBytes || !running) {
        return false;
      }
      if (bytes.compareAndSet(now, now + frame.length)) {
        break;
      }
    }
    pending.incrementAndGet();
    queue.add(frame);
    return true;
  }

  /** Facts journaled and not yet replayed (queued, in the active segment or in closed ones). */
  public long pending() {
    return pending.get();
  }

  /** Bytes on disk and queued for it. */
  public long bytes() {
    return bytes.get();
  }

  /** Age in milliseconds of the oldest fact waiting, 0 when none. */
  public long oldestAgeMillis(long nowMillis) {
    if (pending.get() == 0) {
      return 0;
    }
    Segment first = closed.peekFirst();
    long created = first != null ? first.createdMillis() : activeCreated.get();
    return created == 0 ? 0 : Math.max(0, nowMillis - created);
  }

  /**
   * The oldest closed segment, or null. When none is closed but facts wait in the active one, asks
   * the writer to close it so the next call finds it.
   */
  Segment oldest() {
    Segment first = closed.peekFirst();
    if (first == null && pending.get() > 0) {
      rollRequested = true;
    }
    return first;
  }

  /** Deletes a segment whose facts Kafka has acknowledged. */
  void replayed(Segment segment) throws IOException {
    Files.deleteIfExists(segment.path());
    closed.remove(segment);
    bytes.addAndGet(-segment.bytes());
    pending.addAndGet(-segment.records());
  }

  private void writeLoop() {
    List<byte[]> batch = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        byte[] first = queue.poll(20, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, 4095);
          write(batch);
          batch.clear();
        }
        long now = System.currentTimeMillis();
        if (dirty && (fsync == Fsync.ALWAYS || fsync == Fsync.INTERVAL && now - lastSync >= fsyncIntervalMs)) {
          active.force(false);
          dirty = false;
          lastSync = now;
        }
        if (active != null && (activeBytes >= segmentBytes || rollRequested)) {
          roll();
        }
        rollRequested = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        // The frames of a failed write are counted in bytes and pending but may be half on disk;
        // the reader stops at the damage. Keep going: the next segment may well succeed.
        LOG.error("fact journal write failed in {}: {}", dir, e.toString());
        closeActiveQuietly();
        long lostBytes = 0;
        for (int i = writtenOfBatch; i < batch.size(); i++) {
          lostBytes += batch.get(i).length;
        }
        int lost = batch.size() - writtenOfBatch;
        bytes.addAndGet(-lostBytes);
        pending.addAndGet(-lost);
        onLost.accept(lost);
        batch.clear();
        sleepQuietly();
      }
    }
    try {
      if (active != null) {
        roll();
      }
    } catch (IOException e) {
      LOG.error("fact journal could not close its last segment: {}", e.toString());
    }
  }

  private void write(List<byte[]> frames) throws IOException {
    if (active == null) {
      activePath = dir.resolve(JournalFormat.segmentName(nextSequence++));
      active = FileChannel.open(activePath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      activeBytes = 0;
      activeRecords = 0;
      activeCreated.set(System.currentTimeMillis());
    }
    writtenOfBatch = 0;
    for (byte[] frame : frames) {
      ByteBuffer buf = ByteBuffer.wrap(frame);
      while (buf.hasRemaining()) {
        active.write(buf);
      }
      activeBytes += frame.length;
      activeRecords++;
      writtenOfBatch++;
      dirty = true;
    }
  }

  private void roll() throws IOException {
    if (dirty && fsync != Fsync.NEVER) {
      active.force(false);
    }
    dirty = false;
    active.close();
    closed.addLast(new Segment(activePath, activeBytes, activeRecords, activeCreated.get()));
    active = null;
    activeCreated.set(0);
  }

  private void closeActiveQuietly() {
    if (active != null) {
      try {
        active.close();
      } catch (IOException ignored) {
        // already failing
      }
      closed.addLast(new Segment(activePath, activeBytes, activeRecords, activeCreated.get()));
      active = null;
      activeCreated.set(0);
    }
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes what is queued, syncs and closes the active segment; what is left is replayed next start. */
  @Override
  public void close() {
    running = false;
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
