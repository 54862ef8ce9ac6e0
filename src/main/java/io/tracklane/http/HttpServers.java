package io.tracklane.http;

import io.tracklane.config.AppConfig.HttpConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Creates the engine's HTTP servers (edge, API, ops) with the same defences against slow clients:
 * an idle timeout, and a deadline for each request's headers. Vert.x has no header-read timeout of
 * its own, and its idle timeout (which counts decoded HTTP parts, so a half-sent request is idle)
 * must stay longer than a balancer's keep-alive; so each server keeps the connections that owe it
 * headers, and one periodic sweep closes those past due.
 */
public final class HttpServers {
  /** Per Vert.x instance (one per engine; tests run several in one JVM). */
  private static final Map<Vertx, AtomicBoolean> DRAINING = new WeakHashMap<>();

  private HttpServers() {
  }

  /**
   * A server for {@code host:port} handing complete requests to {@code handler}; call listen() on
   * it. Create it from the verticle's start(), so the sweep timer ends with the verticle.
   */
  public static HttpServer create(Vertx vertx, HttpConfig http, String host, int port,
      Handler<HttpServerRequest> handler) {
    // A form field may be as long as a body may be: the handlers name the field that is too long.
    // HTTP/1.1 only: with cleartext HTTP/2 on, Vert.x makes the connection (and calls the connection
    // handler) only once a first request has arrived, so a half-sent one would escape the deadline.
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
        .setIdleTimeout(http.idleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setMaxFormAttributeSize(http.bodyLimitBytes()).setMaxFormBufferedBytes(http.bodyLimitBytes())
        .setHttp2ClearTextEnabled(false);
    HeaderDeadlines deadlines = new HeaderDeadlines(http.headerTimeoutMs(), http.idleTimeoutSeconds() * 1000L);
    vertx.setPeriodic(Math.max(50, Math.min(1000, http.headerTimeoutMs() / 4)), id -> deadlines.sweep());
    AtomicBoolean draining = drainFlag(vertx);
    return vertx.createHttpServer(options)
        .connectionHandler(deadlines::opened)
        .requestHandler(request -> {
          deadlines.requested(request);
          // Once draining, every answer (also one to a request that arrived before) tells the client
          // not to reuse the connection, so no request is sent on a connection about to close.
          HttpServerResponse response = request.response();
          response.headersEndHandler(v -> {
            if (draining.get()) {
              response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            }
          });
          if (hasWellFormedQuery(request)) {
            handler.handle(request);
          }
        });
  }

  /**
   * Stops {@code server} gracefully: it stops accepting connections, lets each request in flight be
   * answered (closing each connection after its answer, idle ones at once) for up to
   * {@code http.shutdown_grace_seconds}, then closes what is left.
   */
  public static Future<Void> shutdown(HttpServer server, HttpConfig http) {
    return server == null ? Future.succeededFuture() : server.shutdown(http.shutdownGraceSeconds(), TimeUnit.SECONDS);
  }

  /** Marks every server of {@code vertx} as draining: answers carry Connection: close from now on. */
  public static void drain(Vertx vertx) {
    drainFlag(vertx).set(true);
  }

  public static boolean draining(Vertx vertx) {
    return drainFlag(vertx).get();
  }

  private static AtomicBoolean drainFlag(Vertx vertx) {
    synchronized (DRAINING) {
      return DRAINING.computeIfAbsent(vertx, v -> new AtomicBoolean());
    }
  }

  /**
   * A query string with a bad %-escape is refused here: Vert.x Web decodes it while matching a route
   * with path parameters and logs the failure, raw URI and all (a postback token with it), as an
   * unhandled error. Decoded once here, the parameters are cached for the router.
   */
  private static boolean hasWellFormedQuery(HttpServerRequest request) {
    if (request.query() == null) {
      return true;
    }
    try {
      request.params();
      return true;
    } catch (IllegalArgumentException e) {
      FailureHandler.respond(request.response(), 400, "the query string is malformed (a bad %-escape)");
      return false;
    }
  }

  /**
   * Connections of one server, all on its event loop, with the time their next request's headers
   * are due. The clock starts when the connection opens, or (kept alive) when the previous answer
   * was seen ended: that wait gets the idle timeout on top, so a balancer's pooled connections are
   * left to the idle timeout. While a request is being answered nothing is due.
   */
  private static final class HeaderDeadlines {
    private final long headerMs;
    private final long keepAliveMs;
    private final Map<HttpConnection, Waiting> connections = new HashMap<>();

    HeaderDeadlines(long headerMs, long idleMs) {
      this.headerMs = headerMs;
      this.keepAliveMs = idleMs + headerMs;
    }

    void opened(HttpConnection connection) {
      connections.put(connection, new Waiting(System.nanoTime() + ms(headerMs)));
      connection.closeHandler(v -> connections.remove(connection));
    }

    void requested(HttpServerRequest request) {
      Waiting waiting = connections.get(request.connection());
      if (waiting != null) {
        waiting.current = request;
      }
    }

    void sweep() {
      long now = System.nanoTime();
      for (Iterator<Map.Entry<HttpConnection, Waiting>> it = connections.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<HttpConnection, Waiting> entry = it.next();
        Waiting waiting = entry.getValue();
        if (waiting.current != null) {
          if (!waiting.current.response().ended()) {
            continue;
          }
          waiting.current = null;
          waiting.dueAt = now + ms(keepAliveMs);
        }
        if (now - waiting.dueAt >= 0) {
          it.remove();
          entry.getKey().close();
        }
      }
    }

    private static long ms(long millis) {
      return TimeUnit.MILLISECONDS.toNanos(millis);
    }
  }

  private static final class Waiting {
    long dueAt;
    HttpServerRequest current;

    Waiting(long dueAt) {
      this.dueAt = dueAt;
    }
  }
}
