package io.tracklane.api;

import io.tracklane.config.AppConfig;
import io.tracklane.http.HttpServers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

/** Serves the owner and affiliate REST API under /api/v1; the router is composed by the Engine. */
public final class ApiVerticle extends VerticleBase {

  private final AppConfig.HttpConfig http;
  private final Router router;
  private HttpServer server;

  public ApiVerticle(AppConfig.HttpConfig http, Router router) {
    this.http = http;
    this.router = router;
  }

  @Override
  public Future<?> start() {
    server = HttpServers.create(vertx, http, http.host(), http.apiPort(), router);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return HttpServers.shutdown(server, http);
  }
}
