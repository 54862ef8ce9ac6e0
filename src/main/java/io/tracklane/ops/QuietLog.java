package io.tracklane.ops;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Logs an expected, repeating failure (a dependency down) as one WARN line per interval with a
 * count, never a stack trace: the first occurrence is logged at once, the following ones are counted
 * and summed up in one line once the interval has passed.
 */
public final class QuietLog {
  /** The interval of every QuietLog. */
  public static final long INTERVAL_SECONDS = 10;
  private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(INTERVAL_SECONDS);

  private final Logger log;
  private final ConcurrentHashMap<String, Tally> tallies = new ConcurrentHashMap<>();

  public QuietLog(Logger log) {
    this.log = log;
  }

  /** Counts one occurrence of {@code what} (a fixed phrase) with its cause, logging per interval. */
  public void warn(String what, Throwable cause) {
    warn(what, describe(cause));
  }

  public void warn(String what, String detail) {
    Tally tally = tallies.computeIfAbsent(what, k -> new Tally());
    long now = System.nanoTime();
    long count;
    synchronized (tally) {
      tally.count++;
      tally.last = detail;
      if (tally.loggedAt != 0 && now - tally.loggedAt < INTERVAL_NANOS) {
        return;
      }
      count = tally.count;
      tally.count = 0;
      tally.loggedAt = now;
    }
    if (count == 1) {
      log.warn("{}: {} (repeats are counted, one line per {} s)", what, detail, INTERVAL_SECONDS);
    } else {
      log.warn("{}: {} times in the last {} s, last: {}", what, count, INTERVAL_SECONDS, detail);
    }
  }

  /** The exception's type and message, and its root cause's when different: no stack trace. */
  public static String describe(Throwable cause) {
    if (cause == null) {
      return "unknown";
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == cause ? cause.toString() : cause + " (cause: " + root + ")";
  }

  private static final class Tally {
    long count;
    long loggedAt;
    String last;
  }
}
