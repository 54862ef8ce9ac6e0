package io.tracklane;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tracklane.cli.Cli;
import io.tracklane.config.AppConfig;
import io.tracklane.config.ConfigException;
import io.tracklane.config.ConfigSource;
import io.tracklane.store.Migrations;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point: {@code serve} (default) runs the engine; {@code create-program}, {@code demo},
 * {@code migrate} and {@code verify-ledger} are the command-line tools (see {@link Cli}).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  /**
   * Caffeine reports each failed background refresh of the edge's caches (PostgreSQL down) as a
   * java.util.logging WARNING with a stack trace; readiness and the callers report the outage.
   * Held here so the level is not collected with the logger.
   */
  private static final java.util.logging.Logger CAFFEINE = java.util.logging.Logger.getLogger(
      "com.github.benmanes.caffeine.cache");

  static {
    CAFFEINE.setLevel(java.util.logging.Level.SEVERE);
  }

  private Main() {
  }

  public static void main(String[] args) {
    try {
      System.exit(run(args));
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }

  static int run(String[] args) {
    String command = args.length == 0 ? "serve" : args[0];
    return switch (command) {
      case "serve" -> serve(null, false);
      case "demo" -> Cli.demo(args, onStarted -> serve(onStarted, true));
      case "create-program" -> Cli.createProgram(args);
      case "set-rate-limit" -> Cli.setRateLimit(args);
      case "set-cookie-domain" -> Cli.setCookieDomain(args);
      case "verify-ledger" -> Cli.verifyLedger(AppConfig.load(), args, System.out);
      case "migrate" -> {
        int applied = Migrations.migrate(AppConfig.load().postgres());
        System.out.println("applied " + applied + " migrations");
        yield 0;
      }
      case "help", "--help", "-h" -> {
        System.out.println(Cli.USAGE);
        yield 0;
      }
      default -> {
        System.err.println("unknown command: " + command + "\n" + Cli.USAGE);
        yield 2;
      }
    };
  }

  /**
   * Runs the engine until the JVM is asked to stop; {@code onStarted} runs once it serves. Only the
   * demo may run with the development click-id key: it is public, so anyone could mint click ids.
   */
  static int serve(Runnable onStarted, boolean allowDevelopmentKey) {
    AppConfig config = AppConfig.load();
    if (!allowDevelopmentKey && config.clickId().hasDevelopmentKey()) {
      throw new ConfigException(List.of("click_id.keys holds the development key written in "
          + "config/application.yaml, which anyone can read and sign click ids with. Set "
          + ConfigSource.envName("click_id.keys") + " to your own keys, e.g. 1:$(openssl rand -base64 32 | tr '+/' "
          + "'-_' | tr -d '=') (only the demo command runs with the development key)."));
    }
    Migrations.migrate(config.postgres());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = newVertx(registry);
    Engine engine;
    try {
      engine = Engine.start(vertx, config, registry, Clock.systemUTC())
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("Tracklane failed to start", e);
      vertx.close();
      return 1;
    }
    LOG.info("Tracklane running roles {}: edge :{}, api :{}, ops :{}", config.roleNames(),
        config.http().edgePort(), config.http().apiPort(), config.http().opsPort());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping: draining requests, committing offsets, flushing the producer");
      long limitMs = config.http().shutdownDelayMs() + config.http().shutdownGraceSeconds() * 1000L + 20_000;
      try {
        // Not ready and Connection: close first; then stop accepting and answer what is in flight.
        engine.drain().compose(v -> engine.stop()).eventually(vertx::close)
            .toCompletionStage().toCompletableFuture().get(limitMs, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warn("graceful stop incomplete: {}", e.toString());
      }
      stopped.countDown();
    }, "tracklane-shutdown"));
    if (onStarted != null) {
      onStarted.run();
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** A Vert.x instance reporting to {@code registry}, JVM metrics included. */
  public static Vertx newVertx(PrometheusMeterRegistry registry) {
    VertxOptions options = new VertxOptions().setMetricsOptions(
        new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry)).build();
  }
}
