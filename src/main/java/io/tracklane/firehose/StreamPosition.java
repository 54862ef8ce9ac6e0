package io.tracklane.firehose;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an event stream of one program stands: the next offset to read in the program's partition
 * of the facts topic and of the changes topic (the key is the program id, so one partition of each
 * holds all its events). Written as the SSE {@code id:} "facts-changes"; any API instance resumes
 * from it. Every record before it in both partitions was either sent or is not for this stream.
 */
public record StreamPosition(long facts, long changes) {
  private static final Pattern FORMAT = Pattern.compile("([0-9]{1,18})-([0-9]{1,18})");

  /** Parses a Last-Event-ID; throws IllegalArgumentException when it is not one this API wrote. */
  public static StreamPosition parse(String text) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("Last-Event-ID must be an id this stream sent (digits-digits)");
    }
    return new StreamPosition(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }

  public StreamPosition afterFacts(long offset) {
    return new StreamPosition(offset + 1, changes);
  }

  public StreamPosition afterChanges(long offset) {
    return new StreamPosition(facts, offset + 1);
  }

  @Override
  public String toString() {
    return facts + "-" + changes;
  }
}
