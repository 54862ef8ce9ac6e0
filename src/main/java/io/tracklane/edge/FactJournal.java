package io.tracklane.edge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's local append-only journal: facts Kafka could not take wait here, in segment files
 * under one directory, until they are replayed (see {@link FactSink}) and their segment deleted.
 *
 * <p>{@link #append} may be called from any thread and never blocks: it only reserves room against
 * the quota and queues the frame. One writer thread appends queued frames to a segment of its own,
 * syncs every open segment to disk per the fsync policy, and closes a segment when it is full, old,
 * or when the replayer asks for it. Only closed segments are replayed. On start, segments left by
 * an earlier run (a crash, a stop with Kafka down) are counted and replayed first.
 *
 * <p>Written ahead ({@link #writeAhead}), each calling thread (each event loop) appends to a
 * {@link Lane} of its own: its own active segment, file and lock, so two event loops never wait for
 * each other. Segment sequences are global, so file names never collide and the replay goes oldest
 * first; a lane's facts keep their order.
 */
public final class FactJournal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FactJournal.class);
  /**
   * A segment is closed at this age even when not full, so written-ahead segments whose facts Kafka
   * acknowledged are deleted soon, and a crash leaves little to send twice.
   */
  static final long MAX_SEGMENT_AGE_MS = 1_000;
  /** The file whose lock says which process owns the directory (never a segment: no sequence in its name). */
  static final String LOCK_FILE = "journal.lock";

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

  /**
   * A closed segment waiting for replay: {@code records} of its records are to be sent, those whose
   * index is set in {@code replay}, or all of them when {@code replay} is null (a segment left by an
   * earlier run, of which nothing is known acknowledged).
   */
  record Segment(Path path, long bytes, long records, long createdMillis, BitSet replay) {
    /** Whether the record at {@code index} (its place in the segment) is to be sent again. */
    boolean sends(int index) {
      return replay == null || replay.get(index);
    }
  }

  /**
   * A fact written ahead ({@link #writeAhead}): where it is, so its acknowledgement can be told to
   * {@link #acknowledged}.
   */
  record Written(Open segment, int index) {
  }

  /**
   * One writer's active segment: each thread that writes ahead has its own, and the writer thread one
   * for queued frames. Its monitor guards its active segment and that segment's replay bits; only
   * its own thread, the writer thread (sync, close) and Kafka's answers take it.
   */
  static final class Lane {
    Open active;
    boolean dirty;
    /** When the active segment was opened, 0 when there is none (read by the age gauge). */
    volatile long activeCreated;
  }

  /**
   * A segment as it is written and until it is deleted or queued for replay: its records sent
   * straight to Kafka and not yet answered, and the indexes of those to replay (queued in the
   * journal, or failed by Kafka).
   */
  static final class Open {
    final Lane lane;
    final long sequence;
    final Path path;
    final FileChannel channel;
    final long createdMillis;
    final AtomicInteger unanswered = new AtomicInteger();
    // Guarded by the lane's monitor.
    final BitSet replay = new BitSet();
    long bytes;
    int records;
    boolean closed;
    boolean retired;

    Open(Lane lane, long sequence, Path path, FileChannel channel, long createdMillis) {
      this.lane = lane;
      this.sequence = sequence;
      this.path = path;
      this.channel = channel;
      this.createdMillis = createdMillis;
    }
  }

  private final Path dir;
  private final long quotaBytes;
  private final long segmentBytes;
  private final Fsync fsync;
  private final long fsyncIntervalMs;
  private final java.util.function.LongConsumer onLost;
  private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
  /** Closed segments waiting for replay, by sequence (a written-ahead one may close after a later one). */
  private final ConcurrentSkipListMap<Long, Segment> closed = new ConcurrentSkipListMap<>();
  /** Bytes reserved: queued frames plus every segment on disk. */
  private final AtomicLong bytes = new AtomicLong();
  /** Facts to replay: queued, or in a segment as not sent or failed by Kafka. */
  private final AtomicLong pending = new AtomicLong();
  private volatile boolean rollRequested;
  private volatile boolean running = true;
  private final Thread writer;
  private final AtomicLong nextSequence = new AtomicLong();
  /** Every lane: the writer thread's for queued frames, and one per thread that wrote ahead. */
  private final List<Lane> lanes = new CopyOnWriteArrayList<>();
  private final Lane queued = new Lane();
  private final ThreadLocal<Lane> laneOfThread = ThreadLocal.withInitial(() -> {
    Lane lane = new Lane();
    lanes.add(lane);
    return lane;
  });

  // Writer thread only.
  private int writtenOfBatch;
  private long lastSync;

  /** Held while the journal is open: one process per directory (released by the OS if the process dies). */
  private final FileLock ownership;

  /** {@code onLost} hears of facts accepted by {@link #append} that a failed disk write then lost. */
  public FactJournal(Path dir, long quotaBytes, long segmentBytes, Fsync fsync, long fsyncIntervalMs,
      java.util.function.LongConsumer onLost) {
    this.onLost = onLost;
    this.dir = dir;
    this.quotaBytes = quotaBytes;
    this.segmentBytes = segmentBytes;
    this.fsync = fsync;
    this.fsyncIntervalMs = fsyncIntervalMs;
    lanes.add(queued);
    try {
      Files.createDirectories(dir);
      ownership = own(dir);
      recover();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the fact journal in " + dir, e);
    }
    writer = new Thread(this::writeLoop, "tracklane-journal-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Takes the directory for this process. Two edge processes on one directory would replay and
   * delete each other's segments (clicks answered 302 and never sent): the second one refuses to
   * start instead.
   */
  private static FileLock own(Path dir) throws IOException {
    FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock taken;
    try {
      taken = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      taken = null;
    }
    if (taken == null) {
      channel.close();
      throw new IllegalStateException("the fact journal in " + dir + " is in use by another process: each edge"
          + " process needs a journal directory of its own (edge.journal.dir)");
    }
    return taken;
  }

  /** As a SIGKILL leaves the journal, for tests that restart in one JVM: the lock let go, nothing synced. */
  void abandon() {
    release();
  }

  private void release() {
    try {
      if (ownership.isValid()) {
        ownership.release();
      }
      ownership.channel().close();
    } catch (IOException e) {
      LOG.warn("fact journal lock in {} not released cleanly: {}", dir, e.toString());
    }
  }

  /**
   * Counts what an earlier run left; those segments are replayed whole before anything new (nothing
   * in them is known acknowledged: a crash may send some facts twice, the ledger stores them once).
   */
  private void recover() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> JournalFormat.sequenceOf(p.getFileName().toString()).isPresent()).forEach(files::add);
    }
    files.sort(Comparator.comparing(p -> JournalFormat.sequenceOf(p.getFileName().toString()).orElseThrow()));
    for (Path file : files) {
      long size = Files.size(file);
      long sequence = JournalFormat.sequenceOf(file.getFileName().toString()).orElseThrow();
      nextSequence.set(sequence + 1);
      if (size == 0) {
        Files.delete(file);
        continue;
      }
      JournalFormat.Read read = JournalFormat.read(Files.readAllBytes(file));
      closed.put(sequence, new Segment(file, size, read.entries().size(),
          Files.getLastModifiedTime(file).toMillis(), null));
      bytes.addAndGet(size);
      pending.addAndGet(read.entries().size());
    }
    if (!closed.isEmpty()) {
      LOG.info("fact journal: {} facts in {} segments left by an earlier run, replaying them first", pending.get(),
          closed.size());
    }
  }

  /**
   * Queues one frame (from {@link JournalFormat#frame}); false when the journal's quota has no
   * room for it, and the fact is then lost (the caller counts it).
   */
  public boolean append(byte[] frame) {
    if (!reserve(frame.length)) {
      return false;
    }
    pending.incrementAndGet();
    queue.add(frame);
    return true;
  }

  private boolean reserve(int length) {
    while (true) {
      long now = bytes.get();
      if (now + length > quotaBytes || !running) {
        return false;
      }
      if (bytes.compareAndSet(now, now + length)) {
        return true;
      }
    }
  }

  /**
   * Writes one frame to the active segment now, on the calling thread (a write(2) into the page
   * cache, which a killed process does not take with it; synced per the fsync policy by the writer
   * thread). With {@code replay} the fact waits for the replay; otherwise the caller sends it to
   * Kafka and reports the answer to {@link #acknowledged}, and the segment is deleted once it is
   * closed and all of its facts were acknowledged. Null when the quota has no room or the write
   * failed: nothing of the fact is journaled.
   */
  Written writeAhead(byte[] frame, boolean replay) {
    if (!reserve(frame.length)) {
      return null;
    }
    Lane lane = laneOfThread.get();
    Open failed;
    synchronized (lane) {
      try {
        Open segment = openActive(lane);
        ByteBuffer buf = ByteBuffer.wrap(frame);
        while (buf.hasRemaining()) {
          segment.channel.write(buf);
        }
        int index = segment.records++;
        segment.bytes += frame.length;
        lane.dirty = true;
        if (replay) {
          segment.replay.set(index);
          pending.incrementAndGet();
        } else {
          segment.unanswered.incrementAndGet();
        }
        return new Written(segment, index);
      } catch (IOException | RuntimeException e) {
        // The frame may be half written: nothing can follow it in this segment.
        LOG.error("fact journal write failed in {}: {}", dir, e.toString());
        bytes.addAndGet(-frame.length);
        failed = detachActive(lane);
      }
    }
    if (failed != null) {
      close(failed);
    }
    return null;
  }

  /**
   * Kafka answered a fact written ahead without replay: acknowledged ({@code ok}), or failed, and
   * then it waits for the replay (it stays in the journal's order of segments).
   */
  void acknowledged(Written written, boolean ok) {
    Open segment = written.segment();
    if (!ok) {
      synchronized (segment.lane) {
        segment.replay.set(written.index());
        pending.incrementAndGet();
      }
    }
    if (segment.unanswered.decrementAndGet() == 0) {
      retire(segment);
    }
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
    Map.Entry<Long, Segment> first = closed.firstEntry();
    long created = first != null ? first.getValue().createdMillis() : 0;
    for (Lane lane : lanes) {
      long opened = lane.activeCreated;
      if (opened != 0 && (created == 0 || opened < created)) {
        created = opened;
      }
    }
    return created == 0 ? 0 : Math.max(0, nowMillis - created);
  }

  /**
   * The oldest closed segment, or null. When none is closed but facts wait in the active one, asks
   * the writer to close it so the next call finds it.
   */
  Segment oldest() {
    Map.Entry<Long, Segment> first = closed.firstEntry();
    if (first == null && pending.get() > 0) {
      rollRequested = true;
    }
    return first == null ? null : first.getValue();
  }

  /** Deletes a segment whose facts Kafka has acknowledged. */
  void replayed(Segment segment) throws IOException {
    Files.deleteIfExists(segment.path());
    closed.values().remove(segment);
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
        if (fsync == Fsync.ALWAYS || fsync == Fsync.INTERVAL && now - lastSync >= fsyncIntervalMs) {
          lanes.forEach(this::sync);
          lastSync = now;
        }
        boolean roll = rollRequested;
        rollRequested = false;
        for (Lane lane : lanes) {
          Open full = null;
          synchronized (lane) {
            // Asked for by the replay, a close helps only when no fact in the segment waits for
            // Kafka's answer (else it could not be replayed yet): that one closes by age.
            Open active = lane.active;
            if (active != null && (active.bytes >= segmentBytes || now - active.createdMillis >= MAX_SEGMENT_AGE_MS
                || roll && active.unanswered.get() == 0)) {
              full = detachActive(lane);
            }
          }
          if (full != null) {
            close(full);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        // The frames of a failed write are counted in bytes and pending but may be half on disk;
        // the reader stops at the damage. Keep going: the next segment may well succeed.
        LOG.error("fact journal write failed in {}: {}", dir, e.toString());
        Open failed;
        synchronized (queued) {
          failed = detachActive(queued);
        }
        if (failed != null) {
          close(failed);
        }
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
    for (Lane lane : lanes) {
      Open last;
      synchronized (lane) {
        last = detachActive(lane);
      }
      if (last != null) {
        close(last);
      }
    }
  }

  /** The lane's active segment, opened when there is none. Under the lane's monitor. */
  private Open openActive(Lane lane) throws IOException {
    if (lane.active == null) {
      long sequence = nextSequence.getAndIncrement();
      Path path = dir.resolve(JournalFormat.segmentName(sequence));
      long now = System.currentTimeMillis();
      lane.active = new Open(lane, sequence, path,
          FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), now);
      lane.activeCreated = now;
    }
    return lane.active;
  }

  /** Takes the lane's active segment out of its writer's way; the caller closes it. Under the lane's monitor. */
  private static Open detachActive(Lane lane) {
    Open segment = lane.active;
    lane.active = null;
    lane.activeCreated = 0;
    return segment;
  }

  private void write(List<byte[]> frames) throws IOException {
    writtenOfBatch = 0;
    synchronized (queued) {
      Open segment = openActive(queued);
      for (byte[] frame : frames) {
        ByteBuffer buf = ByteBuffer.wrap(frame);
        while (buf.hasRemaining()) {
          segment.channel.write(buf);
        }
        segment.replay.set(segment.records++);
        segment.bytes += frame.length;
        writtenOfBatch++;
        queued.dirty = true;
      }
    }
  }

  /** Forces what was written to the lane's active segment to disk, outside its monitor (its writer goes on meanwhile). */
  private void sync(Lane lane) {
    Open segment;
    synchronized (lane) {
      if (!lane.dirty || lane.active == null) {
        return;
      }
      lane.dirty = false;
      segment = lane.active;
    }
    try {
      segment.channel.force(false);
    } catch (IOException e) {
      // Closed under us by a failed write: that segment is being closed, and synced, anyway.
      LOG.debug("fact journal sync: {}", e.toString());
    }
  }

  /** Syncs (per the policy) and closes a detached segment, then deletes or queues it. */
  private void close(Open segment) {
    try {
      if (fsync != Fsync.NEVER && segment.records > 0) {
        segment.channel.force(false);
      }
    } catch (IOException e) {
      LOG.warn("fact journal sync of {}: {}", segment.path.getFileName(), e.toString());
    }
    try {
      segment.channel.close();
    } catch (IOException e) {
      LOG.warn("fact journal close of {}: {}", segment.path.getFileName(), e.toString());
    }
    synchronized (segment.lane) {
      segment.closed = true;
    }
    if (segment.unanswered.get() == 0) {
      retire(segment);
    }
  }

  /**
   * A closed segment with no fact waiting for Kafka's answer: deleted when nothing in it is to be
   * replayed, else queued for the replay. Once.
   */
  private void retire(Open segment) {
    Segment waiting;
    synchronized (segment.lane) {
      if (!segment.closed || segment.retired || segment.unanswered.get() != 0) {
        return;
      }
      segment.retired = true;
      if (segment.replay.isEmpty()) {
        waiting = null;
      } else {
        waiting = new Segment(segment.path, segment.bytes, segment.replay.cardinality(), segment.createdMillis,
            segment.records == segment.replay.cardinality() ? null : (BitSet) segment.replay.clone());
      }
    }
    if (waiting != null) {
      closed.put(segment.sequence, waiting);
      return;
    }
    try {
      Files.deleteIfExists(segment.path);
    } catch (IOException e) {
      LOG.warn("fact journal could not delete {}: {}", segment.path.getFileName(), e.toString());
    }
    bytes.addAndGet(-segment.bytes);
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
    release();
  }
}
