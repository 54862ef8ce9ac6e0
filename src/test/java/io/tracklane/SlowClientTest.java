package io.tracklane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slowloris and friends against a running engine, with the timeouts set small: half-sent requests
 * are closed by the server on time, while a well-behaved client is still served.
 */
@Timeout(120)
class SlowClientTest {
  private static final long HEADER_TIMEOUT_MS = 1000;
  /** Well above the header timeout, so a test can tell which of the two closed a connection. */
  private static final long IDLE_TIMEOUT_MS = 5000;
  /** The sweep runs every quarter of the header timeout; the rest is room for a busy machine. */
  private static final long SLACK_MS = 1500;
  private static TestEngine engine;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(SlowClientTest.class, Map.of("http.header_timeout_ms", Long.toString(HEADER_TIMEOUT_MS),
        "http.idle_timeout_seconds", Long.toString(IDLE_TIMEOUT_MS / 1000)));
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void halfSentRequestsOnEveryPortAreClosedWithinTheHeaderTimeoutWhileANormalRequestIsServed() throws IOException {
    int edge = engine.config().http().edgePort();
    int ops = engine.config().http().opsPort();
    int api = engine.config().http().apiPort();
    List<Socket> sockets = new ArrayList<>();
    long opened = System.nanoTime();
    try {
      for (int i = 0; i < 200; i++) {
        Socket socket = new Socket("127.0.0.1", i % 4 == 3 ? ops : i % 4 == 2 ? api : edge);
        String partial = i % 2 == 0 ? "GET /r/abcdef HTTP/1.1\r\nHost: x\r\nX-Slow: " : "GET /r/ab";
        socket.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
        sockets.add(socket);
      }
      assertEquals(404, Http.get(engine.edgeUrl() + "/r/nosuchlink").statusCode());
      assertEquals(200, Http.get(engine.opsUrl() + "/health/live").statusCode());
      assertEquals(200, Http.get(engine.apiUrl() + "/openapi.yaml").statusCode());
      for (Socket socket : sockets) {
        assertClosedBy(socket, opened, HEADER_TIMEOUT_MS + SLACK_MS);
      }
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  @Test
  void aClientTricklingItsHeadersIsClosedAtTheHeaderTimeoutLongBeforeTheIdleTimeout() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", engine.config().http().edgePort())) {
      long opened = System.nanoTime();
      byte[] request = "GET /r/abcdef HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(
          StandardCharsets.US_ASCII);
      boolean closed = false;
      for (int i = 0; i < request.length && !closed; i++) {
        try {
          socket.getOutputStream().write(request[i]);
        } catch (SocketException e) {
          closed = true;
        }
        Http.sleep(200);
      }
      assertTrue(closed || isClosed(socket, 100), "still open after trickling for " + elapsedMs(opened) + " ms");
      assertTrue(elapsedMs(opened) < HEADER_TIMEOUT_MS + SLACK_MS + 200, "closed after " + elapsedMs(opened) + " ms");
    }
  }

  @Test
  void aKeptAliveConnectionWaitsLongerThanTheHeaderTimeoutForItsNextRequestButNotForever() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", engine.config().http().opsPort())) {
      socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      assertTrue(readAnswer(socket.getInputStream()).startsWith("HTTP/1.1 200"));
      long answered = System.nanoTime();
      socket.getOutputStream().write("GET /health/li".getBytes(StandardCharsets.US_ASCII));
      assertFalse(isClosed(socket, HEADER_TIMEOUT_MS + 300), "closed before the idle timeout was added");
      assertClosedBy(socket, answered, IDLE_TIMEOUT_MS + HEADER_TIMEOUT_MS + SLACK_MS);
    }
  }

  @Test
  void aBodyThatStopsArrivingIsClosedAtTheIdleTimeout() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", engine.config().http().edgePort())) {
      socket.getOutputStream().write(("POST /postback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100\r\n\r\n{\"transaction_id\":").getBytes(StandardCharsets.US_ASCII));
      long stalled = System.nanoTime();
      assertClosedBy(socket, stalled, IDLE_TIMEOUT_MS + SLACK_MS);
    }
  }

  /** Asserts the server closed {@code socket} (EOF or reset) within {@code withinMs} of {@code since}. */
  private static void assertClosedBy(Socket socket, long since, long withinMs) throws IOException {
    long left = withinMs - elapsedMs(since);
    assertTrue(left > 0 && isClosed(socket, left), "open " + elapsedMs(since) + " ms after the start");
  }

  /** Whether the server closes the connection within {@code waitMs}; an answer it writes first is skipped. */
  private static boolean isClosed(Socket socket, long waitMs) throws IOException {
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[1024];
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return false;
      }
      socket.setSoTimeout((int) left);
      try {
        if (in.read(buffer) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (SocketException e) {
        return true;
      }
    }
  }

  /** Reads one answer whose body length is given by Content-Length. */
  private static String readAnswer(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    String lengthHeader = head.toString().toLowerCase(java.util.Locale.ROOT).lines()
        .filter(l -> l.startsWith("content-length:")).findFirst().orElse("content-length: 0");
    int length = Integer.parseInt(lengthHeader.substring(lengthHeader.indexOf(':') + 1).trim());
    return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
  }

  private static long elapsedMs(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }
}
