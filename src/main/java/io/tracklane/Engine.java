package io.tracklane;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tracklane.api.AffiliateApiHandler;
import io.tracklane.api.AffiliateReportsHandler;
import io.tracklane.api.AffiliateSettingsHandler;
import io.tracklane.api.AffiliateStats;
import io.tracklane.api.AnalyticsHandler;
import io.tracklane.api.AffiliatesHandler;
import io.tracklane.api.ApiAccess;
import io.tracklane.api.ApiKeyCache;
import io.tracklane.api.ApiKeyUsage;
import io.tracklane.api.ApiKeysHandler;
import io.tracklane.api.EventStreamHandler;
import io.tracklane.api.ApiRouter;
import io.tracklane.api.ApiVerticle;
import io.tracklane.api.AuditLogHandler;
import io.tracklane.api.AuthHandler;
import io.tracklane.api.CampaignsHandler;
import io.tracklane.api.CouponsHandler;
import io.tracklane.api.FxRatesHandler;
import io.tracklane.api.LedgerReadHandler;
import io.tracklane.api.LinksHandler;
import io.tracklane.api.OpenApiDocument;
import io.tracklane.api.Operations;
import io.tracklane.api.PayoutsHandler;
import io.tracklane.api.PostbacksHandler;
import io.tracklane.api.RateLimiter;
import io.tracklane.api.ReferralsHandler;
import io.tracklane.api.RejectedEventsHandler;
import io.tracklane.api.ReportsHandler;
import io.tracklane.api.WebhooksHandler;
import io.tracklane.config.AppConfig.ApiConfig;
import io.tracklane.config.AppConfig.Role;
import io.tracklane.config.AppConfig;
import io.tracklane.config.AppConfig.JournalConfig;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.edge.ChangeBridge;
import io.tracklane.edge.EdgeLookups;
import io.tracklane.edge.EdgeMetrics;
import io.tracklane.edge.EdgeVerticle;
import io.tracklane.edge.FactJournal;
import io.tracklane.edge.FactSink;
import io.tracklane.edge.UniqueVisitors;
import io.tracklane.edge.PostbackMarks;
import io.tracklane.firehose.EventPublisher;
import io.tracklane.firehose.KafkaEventPublisher;
import io.tracklane.firehose.Topics;
import io.tracklane.ledger.DueJob;
import io.tracklane.ledger.LedgerJobsVerticle;
import io.tracklane.ledger.LedgerMetrics;
import io.tracklane.ledger.LedgerVerticle;
import io.tracklane.ledger.LedgerWriter;
import io.tracklane.ledger.OutboxRelay;
import io.tracklane.ledger.OutboxSweepVerticle;
import io.tracklane.ledger.Payouts;
import io.tracklane.ledger.RejectedFactRetries;
import io.tracklane.ledger.BacklogProbe;
import io.tracklane.ops.KafkaProbe;
import io.tracklane.ops.OpsVerticle;
import io.tracklane.ops.QuietLog;
import io.tracklane.ops.Readiness;
import io.tracklane.ops.ReadinessCheck;
import io.tracklane.stats.StatsCache;
import io.tracklane.stats.StatsQuery;
import io.tracklane.stats.StatsVersions;
import io.tracklane.store.AffiliateRepository;
import io.tracklane.store.ApiKeyRepository;
import io.tracklane.store.AuditLog;
import io.tracklane.store.CampaignRepository;
import io.tracklane.store.Db;
import io.tracklane.store.LinkRepository;
import io.tracklane.store.PostbackStatusRepository;
import io.tracklane.store.ProgramRepository;
import io.tracklane.webhooks.WebhooksVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds the shared clients once and deploys the configured roles. Used by
 * {@link Main} and by the tests, which start a whole engine in-process.
 */
public final class Engine {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  private static final QuietLog KAFKA_LOG = new QuietLog(LOG);

  private final Vertx vertx;
  private final Pool pool;
  private final Redis redis;
  private final KafkaEventPublisher publisher;
  /** The edge's facts: its own producer and journal; null unless the edge role runs. */
  private final FactSink edgeFacts;
  private final ApiAccess apiAccess;
  private final Readiness readiness;
  private final KafkaProbe kafkaProbe;
  private final AppConfig config;
  private volatile String opsDeployment;

  private Engine(Vertx vertx, AppConfig config, Pool pool, Redis redis, KafkaEventPublisher publisher,
      ApiAccess apiAccess, Readiness readiness, KafkaProbe kafkaProbe, FactSink edgeFacts) {
    this.edgeFacts = edgeFacts;
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.redis = redis;
    this.publisher = publisher;
    this.apiAccess = apiAccess;
    this.readiness = readiness;
    this.kafkaProbe = kafkaProbe;
  }

  /** Starts the roles of {@code config} on {@code vertx}; migrations must have run. */
  public static Future<Engine> start(Vertx vertx, AppConfig config, PrometheusMeterRegistry registry, Clock clock) {
    Pool pool = Db.pool(vertx, config.postgres());
    // Its own pool bounds: a full queue fails a call at once and the caller uses its local fallback.
    Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(config.redis().url())
        .setMaxPoolSize(config.redis().maxPoolSize()).setMaxPoolWaiting(config.redis().maxPoolWaiting()));
    KafkaProducer<String, byte[]> producer = KafkaEventPublisher.sharedProducer(vertx, config.kafka());
    producer.exceptionHandler(e -> KAFKA_LOG.warn("Kafka producer failed", e));
    KafkaEventPublisher publisher = new KafkaEventPublisher(producer, config.kafka().produceTimeoutMs());
    Admin admin = KafkaProbe.admin(config.kafka().bootstrapServers());
    KafkaProbe kafka = new KafkaProbe(vertx, admin);
    ApiAccess access = config.runs(Role.API) ? apiAccess(vertx, config, pool, redis, registry, clock) : null;
    Readiness readiness = new Readiness(vertx, registry);
    FactSink edgeFacts = config.runs(Role.EDGE) ? edgeFacts(config, registry) : null;
    Engine engine = new Engine(vertx, config, pool, redis, publisher, access, readiness, kafka, edgeFacts);
    // Each call asks the calling thread's own generator: one captured here would hand every event
    // loop the same unseeded sequence, and two processes could then issue the same click ids.
    ClickIdCodec clickIds = new ClickIdCodec(config.clickId().keys(), config.clickId().currentKeyId(),
        () -> ThreadLocalRandom.current().nextLong());
    ProgramRepository programs = new ProgramRepository(pool);
    LinkRepository links = new LinkRepository(pool, config.http().publicEdgeUrl());

    // Not ready until every role has deployed: a load balancer must not send traffic to a port
    // that is not listening yet. Then each role's own needs: the edge serves from its caches and
    // needs Kafka (postbacks answer after the broker's ack); the ledger needs Kafka and PostgreSQL;
    // the API needs PostgreSQL. Redis only saves work (every caller falls back): reported, optional.
    AtomicBoolean started = new AtomicBoolean();
    readiness.add(ReadinessCheck.required("roles", () -> started.get() ? Future.succeededFuture()
        : Future.failedFuture("the configured roles are still starting")));
    boolean needsPostgres = config.runs(Role.API) || config.runs(Role.LEDGER) || config.runs(Role.WEBHOOKS);
    boolean needsKafka = config.runs(Role.EDGE) || config.runs(Role.LEDGER) || config.runs(Role.WEBHOOKS);
    Supplier<Future<Void>> postgres = () -> pool.query("SELECT 1").execute().mapEmpty();
    readiness.add(needsPostgres ? ReadinessCheck.required("postgres", postgres)
        : ReadinessCheck.optional("postgres", postgres));
    readiness.add(ReadinessCheck.optional("redis", () -> redis.send(Request.cmd(Command.PING)).mapEmpty()));
    readiness.add(needsKafka ? ReadinessCheck.required("kafka", kafka::check)
        : ReadinessCheck.optional("kafka", kafka::check));
    if (edgeFacts != null) {
      readiness.add(edgeFacts.readiness(config.edge().journal().highWaterBytes()));
    }
    // The webhooks role reads the changes topic and keeps its schedule in PostgreSQL (both above).
    AtomicBoolean webhooksSubscribed = new AtomicBoolean();
    if (config.runs(Role.WEBHOOKS)) {
      readiness.add(ReadinessCheck.required("webhooks", () -> webhooksSubscribed.get() ? Future.succeededFuture()
          : Future.failedFuture("the webhooks consumer has not subscribed yet")));
    }

    return topics(vertx, config).compose(v -> {
      List<Future<String>> deployments = new ArrayList<>();
      deployments.add(vertx.deployVerticle(new OpsVerticle(config.http(), registry, readiness))
          .onSuccess(id -> engine.opsDeployment = id));
      List<ChangeBridge.Listener> caches = new ArrayList<>();
      if (config.runs(Role.EDGE)) {
        EdgeLookups lookups = EdgeLookups.create(vertx, links, programs);
        caches.add(lookups);
        EdgeMetrics metrics = new EdgeMetrics(registry);
        UniqueVisitors visitors = new UniqueVisitors(config.edge().uniqueVisitorsMax(),
            Duration.ofSeconds(config.edge().uniqueClickWindowSeconds()));
        FactSink facts = engine.edgeFacts;
        deployments.add(vertx.executeBlocking(() -> {
          facts.warmUp(config.kafka().produceTimeoutMs());
          return null;
        }).compose(warm -> vertx.deployVerticle(
            () -> new EdgeVerticle(config, clickIds, lookups, facts, visitors, metrics, redis, clock),
            new DeploymentOptions().setInstances(config.http().edgeInstances()))));
      }
      if (config.runs(Role.API)) {
        caches.add(access.keys());
        deployments.add(vertx.deployVerticle(access.usage()));
        deployments.add(apiRouter(vertx, config, pool, access, publisher, clock).compose(router ->
            vertx.deployVerticle(() -> new ApiVerticle(config.http(), router),
                new DeploymentOptions().setInstances(config.http().apiInstances()))));
      }
      if (config.runs(Role.EDGE) || config.runs(Role.API)) {
        deployments.add(vertx.deployVerticle(
            new ChangeBridge(redis, config.redis().url(), config.redis().keyPrefix(), caches)));
      }
      if (config.runs(Role.LEDGER)) {
        LedgerMetrics metrics = new LedgerMetrics(registry);
        PostbackMarks marks = new PostbackMarks(redis, config.redis().keyPrefix());
        LedgerWriter writer = new LedgerWriter(pool, clickIds, metrics, marks::forget,
            new StatsVersions(vertx, redis, config.redis().keyPrefix()), true);
        deployments.add(vertx.deployVerticle(() -> new LedgerVerticle(config, writer,
                new OutboxRelay(pool, publisher, config.kafka().topicChanges(), config.ledger().outboxBatch()), publisher, metrics),
            new DeploymentOptions().setInstances(config.ledger().instances())));
        StatsVersions dueVersions = new StatsVersions(vertx, redis, config.redis().keyPrefix());
        deployments.add(vertx.deployVerticle(new LedgerJobsVerticle(config.ledger(),
            new DueJob(pool, clock, config.ledger().dueJobMs(), ManagementFactory.getRuntimeMXBean().getName(), registry,
                dueVersions::bump),
            new Payouts(pool, clock))));
        deployments.add(vertx.deployVerticle(new BacklogProbe(admin, pool, registry, config.kafka().consumerGroup(),
            config.kafka().topicFacts(), config.ledger().lagProbeMs())));
      }
      if (config.runs(Role.WEBHOOKS)) {
        deployments.add(vertx.deployVerticle(new WebhooksVerticle(config, pool,
            new OutboxRelay(pool, publisher, config.kafka().topicChanges(), config.ledger().outboxBatch()), registry,
            webhooksSubscribed)));
      }
      if (config.runs(Role.API) || config.runs(Role.LEDGER) || config.runs(Role.WEBHOOKS)) {
        deployments.add(vertx.deployVerticle(new OutboxSweepVerticle(
            new OutboxRelay(pool, publisher, config.kafka().topicChanges(), config.ledger().outboxBatch()), config.ledger().outboxSweepMs())));
      }
      return Future.all(deployments).onSuccess(all -> started.set(true));
    }).map(engine).recover(e -> engine.stop().transform(ignored -> Future.failedFuture(e)));
  }

  /** The edge's producer and journal, one per process, shared by its verticle instances. */
  private static FactSink edgeFacts(AppConfig config, PrometheusMeterRegistry registry) {
    JournalConfig j = config.edge().journal();
    EdgeMetrics.Journal lost = new EdgeMetrics.Journal(registry);
    FactJournal journal = new FactJournal(Path.of(j.dir()), j.quotaBytes(), j.segmentBytes(),
        FactJournal.Fsync.parse(j.fsync()), j.fsyncIntervalMs(), lost::writeFailed);
    return new FactSink(FactSink.producer(config.kafka()),
        FactSink.producer(config.kafka(), config.kafka().postbackLingerMs()), config.kafka().topicFacts(), journal,
        j.bufferMaxFacts(), config.kafka().produceTimeoutMs(), FactSink.deliveryTimeoutMs(config.kafka()),
        j.writeAhead(), registry);
  }

  /** What the API's verticle instances share: one key cache, rate limiter and usage batcher per process. */
  private static ApiAccess apiAccess(Vertx vertx, AppConfig config, Pool pool, Redis redis,
      PrometheusMeterRegistry registry, Clock clock) {
    ApiKeyRepository keys = new ApiKeyRepository(pool);
    ApiConfig api = config.api();
    return new ApiAccess(new ApiKeyCache(vertx, keys, Duration.ofSeconds(api.keyCacheSeconds()), registry),
        new RateLimiter(redis, api, config.redis().keyPrefix(), registry),
        new ApiKeyUsage(keys, clock, api.usageFlushMs()), config.edge().trustedProxies(), clock,
        new StatsCache(vertx, redis, config.redis().keyPrefix(), config.stats().cacheTtlSeconds(),
            config.stats().redisTimeoutMs(), registry));
  }

  /**
   * Stops gracefully: readiness turns false, the HTTP servers stop accepting and answer what is in
   * flight ({@code http.shutdown_grace_seconds}), the ledger finishes its batch and commits; then the
   * producer is flushed, the pools are closed, and the ops server (which said "not ready") goes last.
   */
  public Future<Void> stop() {
    readiness.drain();
    List<Future<Void>> undeploys = new ArrayList<>();
    String ops = opsDeployment;
    for (String id : vertx.deploymentIDs()) {
      if (!id.equals(ops)) {
        undeploys.add(vertx.undeploy(id));
      }
    }
    long limit = config.http().shutdownGraceSeconds() + 10L;
    return Future.join(undeploys)
        .transform(v -> edgeFacts == null ? Future.<Void>succeededFuture() : vertx.<Void>executeBlocking(() -> {
          edgeFacts.close();
          return null;
        }, false))
        .transform(v -> publisher.close())
        .transform(v -> kafkaProbe.close())
        .transform(v -> redis.close().recover(e -> Future.succeededFuture()))
        .transform(v -> pool.close())
        .transform(v -> ops == null || !vertx.deploymentIDs().contains(ops) ? Future.succeededFuture()
            : vertx.undeploy(ops))
        .onFailure(e -> LOG.warn("engine stop: {}", e.toString()))
        .timeout(limit, TimeUnit.SECONDS)
        .recover(e -> Future.succeededFuture());
  }

  /**
   * The first step of a stop on SIGTERM: not ready at once, every answer with Connection: close,
   * and {@code http.shutdown_delay_ms} for balancers and clients to see it before {@link #stop()}.
   */
  public Future<Void> drain() {
    readiness.drain();
    long delay = config.http().shutdownDelayMs();
    if (delay <= 0) {
      return Future.succeededFuture();
    }
    io.vertx.core.Promise<Void> waited = io.vertx.core.Promise.promise();
    vertx.setTimer(delay, id -> waited.complete());
    return waited.future();
  }

  /** This engine's readiness: where a component registers what it needs ({@link Readiness#add}). */
  public Readiness readiness() {
    return readiness;
  }

  /**
   * The ledger needs its topics before it starts. An edge or API process starts without Kafka, so
   * redirects keep working while it is down; postbacks answer 503 and readiness says why.
   */
  /**
   * Makes sure the topics exist. A broker that is down at start must not keep the engine down: it
   * reports not-ready, the edge answers postbacks 503 until Kafka is back, and the ledger's consumer
   * subscribes once it can. Only the ledger waits for the check (so its topics have their partitions).
   */
  private static Future<Void> topics(Vertx vertx, AppConfig config) {
    Future<Void> ensured = Topics.ensure(vertx, config.kafka()).recover(e -> {
      LOG.warn("could not ensure the Kafka topics, starting not-ready: {}", e.toString());
      return Future.succeededFuture();
    });
    return config.runs(Role.LEDGER) ? ensured : Future.succeededFuture();
  }

  /**
   * The API: its contract, every handler registered by operationId, and the key authentication.
   * Public for tests that serve the same API over an instrumented pool.
   */
  public static Future<Router> apiRouter(Vertx vertx, AppConfig config, Pool pool, ApiAccess access,
      EventPublisher publisher, Clock clock) {
    Buffer document = OpenApiDocument.read();
    return OpenApiDocument.contract(vertx, document).map(contract -> {
      AuditLog audit = new AuditLog(pool);
      ProgramRepository programs = new ProgramRepository(pool);
      CampaignRepository campaigns = new CampaignRepository(pool);
      AffiliateRepository affiliates = new AffiliateRepository(pool);
      LinkRepository links = new LinkRepository(pool, config.http().publicEdgeUrl());
      Runnable changed = () -> vertx.eventBus().publish(ChangeBridge.CHANGES_ADDRESS, ChangeBridge.CONFIGURATION_CHANGED);
      Operations ops = new Operations();
      ops.on("getOpenApiDocument", ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(document));
      new ApiKeysHandler(pool, affiliates, audit, access.keys(), clock).register(ops);
      new CampaignsHandler(pool, campaigns, programs, audit, changed).register(ops);
      new AffiliatesHandler(pool, affiliates, campaigns, audit, changed).register(ops);
      new LinksHandler(pool, links, campaigns, affiliates, audit, changed).register(ops);
      new LedgerReadHandler(pool, audit, clock).register(ops);
      new PayoutsHandler(pool, new Payouts(pool, clock)).register(ops);
      new CouponsHandler(pool, campaigns, affiliates, audit, changed).register(ops);
      new AuditLogHandler(audit).register(ops);
      new RejectedEventsHandler(pool, new RejectedFactRetries(pool, publisher, config.kafka().topicFacts()), audit)
          .register(ops);
      new FxRatesHandler(pool, audit).register(ops);
      new PostbacksHandler(new PostbackStatusRepository(pool)).register(ops);
      new ReferralsHandler(pool).register(ops);
      new AnalyticsHandler(pool, access.stats(), clock).register(ops);
      new ReportsHandler(pool, access.stats(), clock).register(ops);
      AffiliateStats affiliateStats = new AffiliateStats(new StatsQuery(pool), access.stats(), clock);
      new AffiliateApiHandler(pool, affiliates, campaigns, links, affiliateStats).register(ops);
      new AffiliateSettingsHandler(pool, affiliates, audit).register(ops);
      new AffiliateReportsHandler(affiliateStats, affiliates, programs, campaigns, links, clock).register(ops);
      new WebhooksHandler(pool, audit, config.webhooks()).register(ops);
      new EventStreamHandler(vertx, config.kafka(), config.api().events()).register(ops);
      Router root = ApiRouter.create(vertx, contract, ops, new AuthHandler(access),
          config.http().bodyLimitBytes());
      // Any change an owner makes (a commission's status, a payout paid, a renamed campaign) makes the
      // program's cached stats answers stale; the ledger bumps the version itself for the facts.
      root.route("/api/v1/*").order(-1).handler(ctx -> {
        if (!ctx.request().method().equals(io.vertx.core.http.HttpMethod.GET)) {
          ctx.addBodyEndHandler(v -> {
            Object principal = AuthHandler.principal(ctx);
            if (ctx.response().getStatusCode() < 400 && principal instanceof io.tracklane.api.Principal p) {
              access.stats().invalidate(p.programId());
            }
          });
        }
        ctx.next();
      });
      return root;
    });
  }

  public Pool pool() {
    return pool;
  }

  /** What the API role shares across its instances; null when this engine does not run it. */
  /** The one event publisher of this engine (its Kafka producer). */
  public EventPublisher publisher() {
    return publisher;
  }

  public ApiAccess apiAccess() {
    return apiAccess;
  }
}
