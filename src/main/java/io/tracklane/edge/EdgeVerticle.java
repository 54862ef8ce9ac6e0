package io.tracklane.edge;

import io.tracklane.config.AppConfig;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.http.FailureHandler;
import io.tracklane.http.HttpServers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Redis;
import java.time.Clock;

/** The tracking edge: redirects, pixels and postbacks. No database call per request. */
public final class EdgeVerticle extends VerticleBase {
  public static final String CLICK_COOKIE = "tl_click";

  private final AppConfig config;
  private final ClickIdCodec clickIds;
  private final EdgeLookups lookups;
  private final FactSink facts;
  private final UniqueVisitors visitors;
  private final EdgeMetrics metrics;
  private final Redis redis;
  private final Clock clock;
  private HttpServer server;

  public EdgeVerticle(AppConfig config, ClickIdCodec clickIds, EdgeLookups lookups, FactSink facts,
      UniqueVisitors visitors, EdgeMetrics metrics, Redis redis, Clock clock) {
    this.config = config;
    this.clickIds = clickIds;
    this.lookups = lookups;
    this.facts = facts;
    this.visitors = visitors;
    this.metrics = metrics;
    this.redis = redis;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    EdgeContext edge = new EdgeContext(config, clickIds, lookups, metrics,
        new RedisMarks(redis, config.redis().keyPrefix(), config.edge().redisTimeoutMs(), metrics),
        facts, visitors, clock);
    PostbackHandler postbacks = new PostbackHandler(edge);
    ClientConversions conversions = new ClientConversions(edge, postbacks);
    PixelHandler pixels = new PixelHandler(edge, conversions);
    BrowserHandler browser = new BrowserHandler(edge, conversions);
    Router router = Router.router(vertx);
    RedirectHandler redirects = new RedirectHandler(edge);
    router.get("/r/:code").handler(redirects);
    // A HEAD is a link preview or a checker, never a visit: answered alike, recorded flagged bot.
    router.head("/r/:code").handler(redirects);
    router.get("/t.js").handler(browser::script);
    router.get("/t/click").handler(browser::click);
    router.options("/t/click").handler(browser::preflight);
    router.options("/c.json").handler(browser::preflight);
    router.post("/c.json").handler(BodyHandler.create(false).setBodyLimit(8192));
    router.post("/c.json").handler(browser::conversion);
    router.get("/i/:code").handler(pixels::impression);
    router.get("/c.gif").handler(pixels::clientConversion);
    router.get("/postback").handler(postbacks);
    // The content type is checked before the body handler, which would otherwise try to decode
    // multipart bodies we never accept (and fail with a 500 on some of them).
    router.post("/postback").handler(PostbackRequest::requireBodyType);
    router.post("/postback").handler(BodyHandler.create(false).setBodyLimit(config.http().bodyLimitBytes()));
    router.post("/postback").handler(postbacks);
    router.route().failureHandler(new FailureHandler());
    server = HttpServers.create(vertx, config.http(), config.http().host(), config.http().edgePort(), router);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return HttpServers.shutdown(server, config.http());
  }
}
