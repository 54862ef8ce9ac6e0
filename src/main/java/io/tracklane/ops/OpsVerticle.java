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

/**
 * The management port: /metrics (Prometheus text), /health/live and /health/ready. Unauthenticated,
 * so it binds {@code http.ops_host}, loopback unless a deployment opens it.
 */
public final class OpsVerticle extends VerticleBase {
  /** How often readiness is evaluated without a probe asking, for the tracklane_ready gauges. */
  private static final long EVALUATE_MS = 5000;

  private final HttpConfig http;
  private final PrometheusMeterRegistry registry;
  private final Readiness readiness;
  private HttpServer server;

  public OpsVerticle(HttpConfig http, PrometheusMeterRegistry registry, Readiness readiness) {
    this.http = http;
    this.registry = registry;
    this.readiness = readiness;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape()));
    router.get("/health/live").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end("{\"status\":\"UP\"}"));
    router.get("/health/ready").handler(this::ready);
    vertx.setPeriodic(EVALUATE_MS, id -> readiness.evaluate());
    server = HttpServers.create(vertx, http, http.opsHost(), http.opsPort(), router);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void ready(RoutingContext ctx) {
    readiness.evaluate().onComplete(done -> {
      JsonObject body = done.succeeded() ? done.result()
          : new JsonObject().put("status", "DOWN").put("error", String.valueOf(done.cause()));
      boolean up = "UP".equals(body.getString("status"));
      ctx.response().setStatusCode(up ? 200 : 503).putHeader("Content-Type", "application/json").end(body.encode());
    });
  }
}
