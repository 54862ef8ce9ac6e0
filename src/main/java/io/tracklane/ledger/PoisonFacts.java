package io.tracklane.ledger;

import io.tracklane.domain.InvalidInput;
import io.vertx.core.json.DecodeException;
import io.vertx.pgclient.PgException;

/**
 * Tells a failure caused by a fact's own data (retrying cannot help) from a dependency failing or a
 * bug. Only the first may dead-letter a fact: a bug (NullPointerException, ClassCastException,
 * arithmetic overflow...) would otherwise throw real sales away. Fields of the wrong type are caught
 * by {@link FactShape} before anything reads them, so such exceptions later always mean a bug.
 */
final class PoisonFacts {
  private PoisonFacts() {
  }

  static boolean isDataError(Throwable failure) {
    Throwable e = root(failure);
    if (e instanceof PgException pg) {
      String state = pg.getSqlState();
      // Class 22: data exception (a NUL byte, a number out of range...); class 23: a constraint
      // the fact breaks.
      return state != null && (state.startsWith("22") || state.startsWith("23"));
    }
    return e instanceof InvalidInput || e instanceof DecodeException;
  }

  /** A programming error: retried with backoff and alerted on, never dead-lettered. */
  static boolean isBug(Throwable failure) {
    Throwable e = root(failure);
    return e instanceof NullPointerException || e instanceof ClassCastException || e instanceof ArithmeticException
        || e instanceof IllegalArgumentException || e instanceof IndexOutOfBoundsException
        || e instanceof UnsupportedOperationException;
  }

  /** The innermost cause, stopping at the database's own exception (its cause is a detail). */
  private static Throwable root(Throwable failure) {
    Throwable e = failure;
    while (!(e instanceof PgException) && !(e instanceof InvalidInput) && e.getCause() != null
        && e.getCause() != e) {
      e = e.getCause();
    }
    return e;
  }
}
