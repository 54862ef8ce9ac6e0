package io.tracklane.api;

import io.tracklane.config.AppConfig;
import io.tracklane.http.FailureHandler;
import io.tracklane.ledger.Payouts;
import io.tracklane.store.AffiliateRepository;
import io.tracklane.store.ApiKeyRepository;
import io.tracklane.store.AuditLog;
import io.tracklane.store.CampaignRepository;
import io.tracklane.store.LinkRepository;
import io.tracklane.store.ProgramRepository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.time.Clock;

/** The owner and affiliate REST API under /api/v1. */
public final class ApiVerticle extends VerticleBase {
  public static final String CHANGES_ADDRESS = "tracklane.config.changed";

  private final AppConfig config;
  private final Pool pool;
  private HttpServer server;

  public ApiVerticle(AppConfig config, Pool pool) {
    this.config = config;
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    return vertx.fileSystem().readFile("openapi.yaml").recover(e -> Future.succeededFuture(openapiFromClasspath()))
        .compose(this::listen);
  }

  private Future<HttpServer> listen(Buffer openapi) {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.http().host())
        .setPort(config.http().apiPort()));
    return server.requestHandler(router(vertx, config, pool, openapi)).listen();
  }

  /** Everything the API serves, /api/v1 mounted on the root; public so tests can list the routes. */
  public static Router router(Vertx vertx, AppConfig config, Pool pool, Buffer openapi) {
    AuditLog audit = new AuditLog();
    ProgramRepository programs = new ProgramRepository(pool);
    CampaignRepository campaigns = new CampaignRepository(pool);
    AffiliateRepository affiliates = new AffiliateRepository(pool);
    LinkRepository links = new LinkRepository(pool, config.http().publicEdgeUrl());
    Runnable changed = () -> vertx.eventBus().publish(CHANGES_ADDRESS, "changed");

    Router api = Router.router(vertx);
    api.route().handler(BodyHandler.create(false).setBodyLimit(config.http().bodyLimitBytes()));
    api.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(openapi));
    api.route().handler(new AuthHandler(new ApiKeyRepository(pool)));
    new CampaignsHandler(pool, campaigns, programs, audit, changed).mount(api);
    new AffiliatesHandler(pool, affiliates, campaigns, audit, changed).mount(api);
    new LinksHandler(pool, links, campaigns, affiliates, audit, changed).mount(api);
    new LedgerReadHandler(pool, audit, Clock.systemUTC()).mount(api);
    new PayoutsHandler(pool, new Payouts(pool, Clock.systemUTC()), audit).mount(api);
    new CouponsHandler(pool, campaigns, affiliates, audit).mount(api);
    new FxRatesHandler(pool, audit).mount(api);
    new PostbacksHandler(new io.tracklane.store.PostbackStatusRepository(pool)).mount(api);
    new RejectedEventsHandler(pool, new io.tracklane.ledger.RejectedFactRetries(pool, new io.tracklane.firehose.KafkaEventPublisher(io.tracklane.firehose.KafkaEventPublisher.sharedProducer(vertx, config.kafka()), config.kafka().produceTimeoutMs()), config.kafka().topicFacts()), audit).mount(api);
    api.route().handler(ctx -> ctx.fail(io.tracklane.http.HttpError.notFound("No such endpoint.")));

    Router root = Router.router(vertx);
    root.route("/api/v1/*").subRouter(api);
    root.route().failureHandler(new FailureHandler());
    root.route().handler(ctx -> ctx.fail(io.tracklane.http.HttpError.notFound("No such endpoint.")));
    return root;
  }

  private static Buffer openapiFromClasspath() {
    try (var in = ApiVerticle.class.getResourceAsStream("/openapi.yaml")) {
      return Buffer.buffer(in == null ? new byte[0] : in.readAllBytes());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
