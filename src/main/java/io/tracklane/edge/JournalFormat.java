package io.tracklane.edge;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The pure parts of the edge's fact journal (no I/O): how a Kafka record is framed on disk, its
 * checksum, and how segment files are named. {@link FactJournal} does the file work.
 *
 * <p>A frame is {@code [length:int][crc32c:int][payload:length bytes]}; the CRC32C covers the
 * length and the payload, so a damaged length is caught too. The payload is
 * {@code [keyLength:int][key][headerCount:short]([nameLength:short][name][valueLength:int][value])*[value]}.
 * A segment is read frame by frame from its start; reading stops at the first frame that is cut
 * short (a torn write at the tail) or fails its checksum, since nothing after it can be trusted.
 */
public final class JournalFormat {
  /** Bytes before the payload: length and checksum. */
  public static final int FRAME_OVERHEAD = 8;
  /** Larger payloads are refused on write and taken for damage on read. */
  public static final int MAX_PAYLOAD = 4 * 1024 * 1024;
  private static final String SEGMENT_PREFIX = "facts-";
  private static final String SEGMENT_SUFFIX = ".journal";

  private JournalFormat() {
  }

  /** One Kafka record as the journal keeps it: key, value and headers, in order. */
  public record Entry(byte[] key, List<Header> headers, byte[] value) {
  }

  public record Header(String name, byte[] value) {
  }

  /** Why reading a segment stopped. */
  public enum End { CLEAN, TORN_TAIL, CORRUPT }

  /** The entries read from a segment, where reading stopped and why. */
  public record Read(List<Entry> entries, long validBytes, End end) {
  }

  /** The frame of {@code entry}, ready to append. */
  public static byte[] frame(Entry entry) {
    byte[] payload = payload(entry);
    ByteBuffer buf = ByteBuffer.allocate(FRAME_OVERHEAD + payload.length);
    buf.putInt(payload.length);
    buf.putInt(crc(payload.length, payload, 0, payload.length));
    buf.put(payload);
    return buf.array();
  }

  static byte[] payload(Entry entry) {
    int size = 4 + entry.key().length + 2 + entry.value().length;
    List<byte[]> names = new ArrayList<>(entry.headers().size());
    for (Header h : entry.headers()) {
      byte[] name = h.name().getBytes(StandardCharsets.UTF_8);
      names.add(name);
      size += 2 + name.length + 4 + h.value().length;
    }
    if (size > MAX_PAYLOAD || entry.headers().size() > Short.MAX_VALUE) {
      throw new IllegalArgumentException("fact too large for the journal: " + size + " bytes");
    }
    ByteBuffer buf = ByteBuffer.allocate(size);
    buf.putInt(entry.key().length).put(entry.key());
    buf.putShort((short) entry.headers().size());
    for (int i = 0; i < names.size(); i++) {
      buf.putShort((short) names.get(i).length).put(names.get(i));
      buf.putInt(entry.headers().get(i).value().length).put(entry.headers().get(i).value());
    }
    buf.put(entry.value());
    return buf.array();
  }

  /** CRC32C of the length (4 bytes, big-endian) followed by the payload. */
  static int crc(int length, byte[] payload, int offset, int count) {
    CRC32C crc = new CRC32C();
    crc.update(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
    crc.update(payload, offset, count);
    return (int) crc.getValue();
  }

  /** Reads every intact frame of a segment's bytes, stopping at the first torn or damaged one. */
  public static Read read(byte[] segment) {
    List<Entry> entries = new ArrayList<>();
    int pos = 0;
    while (pos < segment.length) {
      if (segment.length - pos < FRAME_OVERHEAD) {
        return new Read(entries, pos, End.TORN_TAIL);
      }
      ByteBuffer head = ByteBuffer.wrap(segment, pos, FRAME_OVERHEAD);
      int length = head.getInt();
      int expected = head.getInt();
      if (length < 0 || length > MAX_PAYLOAD) {
        return new Read(entries, pos, End.CORRUPT);
      }
      if (segment.length - pos - FRAME_OVERHEAD < length) {
        return new Read(entries, pos, End.TORN_TAIL);
      }
      if (crc(length, segment, pos + FRAME_OVERHEAD, length) != expected) {
        return new Read(entries, pos, End.CORRUPT);
      }
      Optional<Entry> entry = parse(segment, pos + FRAME_OVERHEAD, length);
      if (entry.isEmpty()) {
        return new Read(entries, pos, End.CORRUPT);
      }
      entries.add(entry.get());
      pos += FRAME_OVERHEAD + length;
    }
    return new Read(entries, pos, End.CLEAN);
  }

  private static Optional<Entry> parse(byte[] bytes, int offset, int length) {
    try {
      ByteBuffer buf = ByteBuffer.wrap(bytes, offset, length);
      byte[] key = take(buf, buf.getInt());
      int count = buf.getShort();
      if (count < 0) {
        return Optional.empty();
      }
      List<Header> headers = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String name = new String(take(buf, buf.getShort()), StandardCharsets.UTF_8);
        headers.add(new Header(name, take(buf, buf.getInt())));
      }
      return Optional.of(new Entry(key, headers, take(buf, buf.remaining())));
    } catch (RuntimeException e) {
      // A checksum that matches damaged bytes is all but impossible; a payload we did not write is not.
      return Optional.empty();
    }
  }

  private static byte[] take(ByteBuffer buf, int n) {
    if (n < 0 || n > buf.remaining()) {
      throw new IllegalArgumentException("field runs past its frame");
    }
    byte[] out = new byte[n];
    buf.get(out);
    return out;
  }

  /** The file name of segment number {@code sequence}; names sort in sequence order. */
  public static String segmentName(long sequence) {
    if (sequence < 0) {
      throw new IllegalArgumentException("negative segment sequence");
    }
    return String.format("%s%020d%s", SEGMENT_PREFIX, sequence, SEGMENT_SUFFIX);
  }

  /** The sequence number of a segment file name, or empty for any other file. */
  public static Optional<Long> sequenceOf(String fileName) {
    if (!fileName.startsWith(SEGMENT_PREFIX) || !fileName.endsWith(SEGMENT_SUFFIX)
        || fileName.length() != SEGMENT_PREFIX.length() + 20 + SEGMENT_SUFFIX.length()) {
      return Optional.empty();
    }
    String digits = fileName.substring(SEGMENT_PREFIX.length(), SEGMENT_PREFIX.length() + 20);
    for (int i = 0; i < digits.length(); i++) {
      if (!Character.isDigit(digits.charAt(i))) {
        return Optional.empty();
      }
    }
    try {
      return Optional.of(Long.parseLong(digits));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
