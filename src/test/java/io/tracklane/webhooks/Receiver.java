package io.tracklane.webhooks;

import io.tracklane.testing.TestEngine;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A partner's HTTP receiver on 127.0.0.1 for the tests: records every request, answers per path.
 * {@code /ok...} answers 200; {@code /flaky...} 500 for the first {@code failures} requests of that
 * path, then 200; {@code /down...} 500 until {@link #up} is set; {@code /redirect} 302.
 */
public final class Receiver implements AutoCloseable {
  /** One request as received. */
  public record Request(String method, String uri, Map<String, List<String>> headers, String body) {
  }

  public final List<Request> requests = new CopyOnWriteArrayList<>();
  public volatile boolean up;
  private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final int failures;

  public Receiver(int failures) {
    this.failures = failures;
    server = TestEngine.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      Map<String, List<String>> headers = new ConcurrentHashMap<>();
      req.headers().forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(), k -> new CopyOnWriteArrayList<>())
          .add(h.getValue()));
      requests.add(new Request(req.method().name(), req.uri(), headers, body.toString()));
      String path = req.path();
      if (path.startsWith("/hang")) {
        return; // never answers
      }
      int n = seen.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      int status = path.startsWith("/flaky") ? (n <= this.failures ? 500 : 200)
          : path.startsWith("/down") ? (up ? 200 : 500)
          : path.startsWith("/redirect") ? 302
          : 200;
      if (status == 302) {
        req.response().putHeader("Location", "http://127.0.0.1:" + port() + "/ok-after-redirect");
      }
      req.response().setStatusCode(status).end("x".repeat(5000));
    })).listen(0, "127.0.0.1"));
  }

  public int port() {
    return server.actualPort();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  public List<Request> to(String pathPrefix) {
    return requests.stream().filter(r -> r.uri().startsWith(pathPrefix)).toList();
  }

  @Override
  public void close() {
    TestEngine.await(vertx.close());
  }
}
