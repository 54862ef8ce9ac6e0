package io.tracklane.http;

import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.util.Set;

/**
 * Classifies failures by exception type and SQLSTATE, never by message text: is this a dependency
 * that is down, starting or shutting down (answer 503 and retry later), or something else?
 */
public final class Failures {
  /** admin_shutdown, crash_shutdown, cannot_connect_now (starting up, shutting down, recovering). */
  private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300");

  private Failures() {
  }

  /** Whether {@code failure} (or any of its causes) says a dependency is unavailable right now. */
  public static boolean isUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (isUnavailableItself(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUnavailableItself(Throwable t) {
    if (t instanceof PgException pg) {
      String state = pg.getSqlState();
      // Class 08: connection exception (connection_failure, cannot_connect, ...).
      return state != null && (state.startsWith("08") || UNAVAILABLE_STATES.contains(state));
    }
    return t instanceof java.net.ConnectException
        || t instanceof java.net.NoRouteToHostException
        || t instanceof java.nio.channels.ClosedChannelException
        || t instanceof java.util.concurrent.TimeoutException
        || t instanceof ClosedConnectionException
        || t instanceof HttpClosedException
        || t instanceof ConnectionPoolTooBusyException
        || t instanceof org.apache.kafka.common.errors.RetriableException
        || t instanceof org.apache.kafka.common.errors.InterruptException
        || t instanceof java.io.IOException && t.getClass().getName().startsWith("io.netty.channel.unix.Errors");
  }
}
