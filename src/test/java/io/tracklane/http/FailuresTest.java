package io.tracklane.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Failures are classified by SQLSTATE and exception type, never by their message text. */
class FailuresTest {

  @Test
  void connectionStartupAndShutdownStatesAreUnavailable() {
    for (String state : new String[] {"08000", "08003", "08006", "08001", "08004", "57P01", "57P02", "57P03"}) {
      assertTrue(Failures.isUnavailable(new PgException("x", "FATAL", state, null)), state);
    }
  }

  @Test
  void dataAndProgrammingStatesAreNot() {
    for (String state : new String[] {"23505", "22021", "42P01", "40001", "XX000"}) {
      assertFalse(Failures.isUnavailable(new PgException("connection refused", "ERROR", state, null)), state);
    }
  }

  @Test
  void transportFailuresAreUnavailableWhereverTheyAreInTheCauseChain() {
    assertTrue(Failures.isUnavailable(new ConnectException("x")));
    assertTrue(Failures.isUnavailable(new RuntimeException(new ConnectException("x"))));
    assertTrue(Failures.isUnavailable(new TimeoutException()));
    assertTrue(Failures.isUnavailable(ClosedConnectionException.INSTANCE));
    assertTrue(Failures.isUnavailable(new ConnectionPoolTooBusyException("max wait queue size of 24")));
    assertTrue(Failures.isUnavailable(new org.apache.kafka.common.errors.TimeoutException("x")));
    assertTrue(Failures.isUnavailable(new org.apache.kafka.common.errors.NotEnoughReplicasException("x")));
  }

  @Test
  void aMessageMentioningConnectionsIsNotEnough() {
    assertFalse(Failures.isUnavailable(new VertxException("Connection refused (a message, not a type)")));
    assertFalse(Failures.isUnavailable(new IllegalStateException("no connection")));
    assertFalse(Failures.isUnavailable(null));
  }
}
