package io.tracklane.edge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.edge.JournalFormat.End;
import io.tracklane.edge.JournalFormat.Entry;
import io.tracklane.edge.JournalFormat.Header;
import io.tracklane.edge.JournalFormat.Read;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.Example;

/** The journal's framing: every written frame reads back; a torn tail or a damaged byte is caught. */
class JournalFormatTest {

  @Property(tries = 300)
  void framesReadBackInOrder(@ForAll("entries") @Size(max = 20) List<Entry> entries) {
    Read read = JournalFormat.read(concat(entries));
    assertEquals(End.CLEAN, read.end());
    assertSame(entries, read.entries());
  }

  /** A write cut anywhere: every frame before the cut reads back, the torn one is not taken. */
  @Property(tries = 300)
  void aTornTailKeepsEveryWholeFrameBeforeIt(@ForAll("entries") @Size(min = 1, max = 10) List<Entry> entries,
      @ForAll @IntRange(min = 1, max = 10_000) int cutBack) {
    byte[] all = concat(entries);
    byte[] last = JournalFormat.frame(entries.get(entries.size() - 1));
    int cut = all.length - 1 - (cutBack % (last.length - 1));
    byte[] torn = java.util.Arrays.copyOf(all, cut);
    Read read = JournalFormat.read(torn);
    assertEquals(End.TORN_TAIL, read.end());
    assertSame(entries.subList(0, entries.size() - 1), read.entries());
    assertEquals(all.length - last.length, read.validBytes());
  }

  /** One flipped bit in a frame: the frames before it read back, it and what follows are not taken. */
  @Property(tries = 500)
  void aDamagedFrameIsNeverTakenForAFact(@ForAll("entries") @Size(min = 1, max = 10) List<Entry> entries,
      @ForAll @IntRange(min = 0, max = 9) int which, @ForAll @IntRange(min = 0, max = 100_000) int at,
      @ForAll @IntRange(min = 0, max = 7) int bit) {
    int victim = which % entries.size();
    int offset = 0;
    for (int i = 0; i < victim; i++) {
      offset += JournalFormat.frame(entries.get(i)).length;
    }
    byte[] bytes = concat(entries);
    int frameLength = JournalFormat.frame(entries.get(victim)).length;
    bytes[offset + at % frameLength] ^= (byte) (1 << bit);
    Read read = JournalFormat.read(bytes);
    assertTrue(read.end() != End.CLEAN, "the damage went unnoticed");
    assertSame(entries.subList(0, victim), read.entries());
    assertEquals(offset, read.validBytes());
  }

  @Example
  void segmentNamesSortInSequenceOrderAndParseBack() {
    assertEquals("facts-00000000000000000042.journal", JournalFormat.segmentName(42));
    assertTrue(JournalFormat.segmentName(9).compareTo(JournalFormat.segmentName(10)) < 0);
    assertEquals(Optional.of(123456789L), JournalFormat.sequenceOf(JournalFormat.segmentName(123456789L)));
    assertEquals(Optional.empty(), JournalFormat.sequenceOf("facts-0000000000000000004x.journal"));
    assertEquals(Optional.empty(), JournalFormat.sequenceOf("facts-42.journal"));
    assertEquals(Optional.empty(), JournalFormat.sequenceOf("notes.txt"));
  }

  @Example
  void anEmptySegmentIsClean() {
    Read read = JournalFormat.read(new byte[0]);
    assertEquals(End.CLEAN, read.end());
    assertTrue(read.entries().isEmpty());
  }

  @Provide
  Arbitrary<List<Entry>> entries() {
    Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<Header> header = Combinators.combine(Arbitraries.strings().ofMaxLength(20), bytes).as(Header::new);
    return Combinators.combine(bytes, header.list().ofMaxSize(3), bytes).as(Entry::new).list();
  }

  private static byte[] concat(List<Entry> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Entry e : entries) {
      out.writeBytes(JournalFormat.frame(e));
    }
    return out.toByteArray();
  }

  private static void assertSame(List<Entry> expected, List<Entry> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i).key(), actual.get(i).key());
      assertArrayEquals(expected.get(i).value(), actual.get(i).value());
      assertEquals(expected.get(i).headers().size(), actual.get(i).headers().size());
      for (int h = 0; h < expected.get(i).headers().size(); h++) {
        assertEquals(expected.get(i).headers().get(h).name(), actual.get(i).headers().get(h).name());
        assertArrayEquals(expected.get(i).headers().get(h).value(), actual.get(i).headers().get(h).value());
      }
    }
  }
}
