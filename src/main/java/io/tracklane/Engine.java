package io.tracklane;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tracklane.api.ApiVerticle;
import io.tracklane.config.AppConfig;
import io.tracklane.config.AppConfig.Role;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.edge.ChangeBridge;
import io.tracklane.edge.EdgeLookups;
import io.tracklane.edge.EdgeMetrics;
import io.tracklane.edge.EdgeVerticle;
import io.tracklane.edge.PostbackMarks;
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
import io.tracklane.ops.OpsVerticle;
import io.tracklane.ops.ReadinessCheck;
import io.tracklane.store.Db;
import io.tracklane.store.LinkRepository;
import io.tracklane.store.ProgramRepository;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds the shared clients once and deploys the configured roles. Used by
 * {@link Main} and by the tests, which start a whole engine in-process.
 */
public final class Engine {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  private final Vertx vertx;
  private final Pool pool;
  private final Redis redis;
  private final KafkaEventPublisher publisher;

  private Engine(Vertx vertx, Pool pool, Redis redis, KafkaEventPublisher publisher) {
    this.vertx = vertx;
    this.pool = pool;
    this.redis = redis;
    this.publisher = publisher;
  }

  /** Starts the roles of {@code config} on {@code vertx}; migrations must have run. */
  public static Future<Engine> start(Vertx vertx, AppConfig config, PrometheusMeterRegistry registry, Clock clock) {
    Pool pool = Db.pool(vertx, config.postgres());
    Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(config.redis().url()));
    KafkaProducer<String, String> producer = KafkaEventPublisher.sharedProducer(vertx, config.kafka());
    KafkaEventPublisher publisher = new KafkaEventPublisher(producer, config.kafka().produceTimeoutMs());
    Engine engine = new Engine(vertx, pool, redis, publisher);
    // Each call asks the calling thread's own generator: one captured here would hand every event
    // loop the same unseeded sequence, and two processes could then issue the same click ids.
    ClickIdCodec clickIds = new ClickIdCodec(config.clickId().keys(), config.clickId().currentKeyId(),
        () -> ThreadLocalRandom.current().nextLong());
    ProgramRepository programs = new ProgramRepository(pool);
    LinkRepository links = new LinkRepository(pool, config.http().publicEdgeUrl());

    List<ReadinessCheck> checks = List.of(
        check("postgres", () -> pool.query("SELECT 1").execute().mapEmpty()),
        check("redis", () -> redis.send(Request.cmd(Command.PING)).mapEmpty()),
        check("kafka", () -> producer.partitionsFor(config.kafka().topicFacts()).mapEmpty()));

    return topics(vertx, config).compose(v -> {
      List<Future<String>> deployments = new ArrayList<>();
      deployments.add(vertx.deployVerticle(
          new OpsVerticle(config.http().host(), config.http().opsPort(), registry, checks)));
      if (config.runs(Role.EDGE)) {
        EdgeLookups lookups = EdgeLookups.create(vertx, links, programs);
        vertx.eventBus().consumer(ApiVerticle.CHANGES_ADDRESS, msg -> lookups.invalidateAll());
        EdgeMetrics metrics = new EdgeMetrics(registry);
        deployments.add(vertx.deployVerticle(
            () -> new EdgeVerticle(config, clickIds, lookups, publisher, metrics, redis, clock),
            new DeploymentOptions().setInstances(config.http().edgeInstances())));
        deployments.add(vertx.deployVerticle(
            new ChangeBridge(redis, config.redis().url(), config.redis().keyPrefix(), lookups)));
      } else if (config.runs(Role.API)) {
        deployments.add(vertx.deployVerticle(
            new ChangeBridge(redis, config.redis().url(), config.redis().keyPrefix(), null)));
      }
      if (config.runs(Role.API)) {
        deployments.add(vertx.deployVerticle(() -> new ApiVerticle(config, pool),
            new DeploymentOptions().setInstances(config.http().apiInstances())));
      }
      if (config.runs(Role.LEDGER)) {
        LedgerMetrics metrics = new LedgerMetrics(registry);
        PostbackMarks marks = new PostbackMarks(redis, config.redis().keyPrefix());
        LedgerWriter writer = new LedgerWriter(pool, clickIds, metrics, marks::forget);
        deployments.add(vertx.deployVerticle(() -> new LedgerVerticle(config, writer,
                new OutboxRelay(pool, publisher, config.kafka().topicChanges()), publisher, metrics),
            new DeploymentOptions().setInstances(config.ledger().instances())));
        deployments.add(vertx.deployVerticle(new LedgerJobsVerticle(config.ledger(), new DueJob(pool, clock),
            new Payouts(pool, clock))));
      }
      if (config.runs(Role.API) || config.runs(Role.LEDGER)) {
        deployments.add(vertx.deployVerticle(new OutboxSweepVerticle(
            new OutboxRelay(pool, publisher, config.kafka().topicChanges()), config.ledger().outboxSweepMs())));
      }
      return Future.all(deployments);
    }).map(engine).recover(e -> engine.stop().transform(ignored -> Future.failedFuture(e)));
  }

  /**
   * Stops gracefully: undeploys every verticle (servers stop accepting, the ledger finishes its
   * batch and commits), then flushes the producer and closes the pools.
   */
  public Future<Void> stop() {
    List<Future<Void>> undeploys = new ArrayList<>();
    for (String id : vertx.deploymentIDs()) {
      undeploys.add(vertx.undeploy(id));
    }
    return Future.join(undeploys)
        .transform(v -> publisher.close())
        .transform(v -> redis.close().recover(e -> Future.succeededFuture()))
        .transform(v -> pool.close())
        .onFailure(e -> LOG.warn("engine stop: {}", e.toString()))
        .timeout(30, TimeUnit.SECONDS)
        .recover(e -> Future.succeededFuture());
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

  public Pool pool() {
    return pool;
  }

  private static ReadinessCheck check(String name, java.util.function.Supplier<Future<Void>> probe) {
    return new ReadinessCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Future<Void> check() {
        return probe.get();
      }
    };
  }
}
