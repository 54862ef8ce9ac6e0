package io.tracklane.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tracklane.config.AppConfig.HttpConfig;
import io.tracklane.http.HttpServers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The management port: /metrics (Prometheus text), /health/live and /health/ready. Unauthenticated,
 * so it binds {@code http.ops_host}, loopback unless a deployment opens it.
 */
public final class OpsVerticle extends VerticleBase {
  private static final long CHECK_TIMEOUT_MS = 2000;

  private final HttpConfig http;
  private final PrometheusMeterRegistry registry;
  private final List<ReadinessCheck> checks;
  private HttpServer server;

  public OpsVerticle(HttpConfig http, PrometheusMeterRegistry registry, List<ReadinessCheck> checks) {
    this.http = http;
    this.registry = registry;
    this.checks = List.copyOf(checks);
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape()));
    router.get("/health/live").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end("{\"status\":\"UP\"}"));
    router.get("/health/ready").handler(this::ready);
    server = HttpServers.create(vertx, http, http.opsHost(), http.opsPort(), router);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void ready(RoutingContext ctx) {
    List<Future<Void>> results = new ArrayList<>();
    for (ReadinessCheck check : checks) {
      results.add(check.check().timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS));
    }
    Future.join(results).onComplete(done -> {
      JsonObject components = new JsonObject();
      boolean up = true;
      for (int i = 0; i < checks.size(); i++) {
        Future<Void> r = results.get(i);
        up &= r.succeeded();
        components.put(checks.get(i).name(), r.succeeded() ? "UP" : "DOWN: " + r.cause().getMessage());
      }
      ctx.response().setStatusCode(up ? 200 : 503).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("status", up ? "UP" : "DOWN").put("components", components).encode());
    });
  }
}
