package io.tracklane.ledger;

import io.tracklane.domain.InvalidInput;
import io.vertx.core.json.DecodeException;
import io.vertx.pgclient.PgException;

/** Tells a failure caused by a fact's own data (retrying cannot help) from a dependency failing. */
final class PoisonFacts {
  private PoisonFacts() {
  }

  static boolean isDataError(Throwable failure) {
    Throwable e = failure;
    while (e.getCause() != null && e.getCause() != e && !(e instanceof PgException)) {
      e = e.getCause();
    }
    if (e instanceof PgException pg) {
      String state = pg.getSqlState();
      // Class 22: data exception (a NUL byte, a number out of range...); class 23: a constraint
      // the fact breaks.
      return state != null && (state.startsWith("22") || state.startsWith("23"));
    }
    return e instanceof ClassCastException || e instanceof NumberFormatException || e instanceof InvalidInput
        || e instanceof DecodeException || e instanceof ArithmeticException || e instanceof NullPointerException;
  }
}
