package io.tracklane.testing;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tracklane.Engine;
import io.tracklane.Main;
import io.tracklane.cli.ProgramAdmin;
import io.tracklane.config.AppConfig;
import io.tracklane.config.ConfigSource;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.store.Migrations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A whole engine for one test class, on the real PostgreSQL, Redis and Kafka: its own schema, its
 * own Redis key prefix, its own topics and consumer group, free ports. {@link #close()} removes them.
 */
public final class TestEngine implements AutoCloseable {
  private static final java.util.Set<Integer> HANDED_OUT = new java.util.HashSet<>();
  private final AppConfig config;
  private final Map<String, String> settings;
  private final Vertx vertx;
  private final Engine engine;
  private final boolean ownsSchema;

  private TestEngine(AppConfig config, Map<String, String> settings, Vertx vertx, Engine engine,
      boolean ownsSchema) {
    this.ownsSchema = ownsSchema;
    this.config = config;
    this.settings = settings;
    this.vertx = vertx;
    this.engine = engine;
  }

  /** Starts an engine with every role; {@code overrides} are configuration keys to change. */
  public static TestEngine start(Class<?> testClass, Map<String, String> overrides) {
    Map<String, String> settings = settings(testClass, overrides);
    AppConfig config = AppConfig.from(ConfigSource.load(Map.of(), settings));
    Migrations.migrate(config.postgres());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Main.newVertx(registry);
    Engine engine = await(Engine.start(vertx, config, registry, Clock.systemUTC()));
    return new TestEngine(config, settings, vertx, engine, true);
  }

  public static TestEngine start(Class<?> testClass) {
    return start(testClass, Map.of());
  }

  /** The configuration keys a test class runs with: unique schema, prefix, topics, group and ports. */
  public static Map<String, String> settings(Class<?> testClass, Map<String, String> overrides) {
    String suffix = testClass.getSimpleName().toLowerCase(Locale.ROOT) + "_"
        + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> s = new HashMap<>();
    s.put("postgres.schema", "t_" + suffix);
    s.put("redis.key_prefix", "test:" + suffix + ":");
    s.put("kafka.bootstrap_servers", KafkaBroker.bootstrapServers());
    s.put("kafka.topic_facts", "facts." + suffix);
    s.put("kafka.topic_changes", "changes." + suffix);
    s.put("kafka.topic_dead_letter", "dead." + suffix);
    s.put("kafka.consumer_group", "ledger." + suffix);
    s.put("edge.journal.dir", "target/journal/" + suffix);
    s.put("http.host", "127.0.0.1");
    putFreePorts(s);
    s.put("ledger.poll_timeout_ms", "50");
    // Tests send many requests with one key, and many failures, from one address: the tests of the
    // limits themselves set them back (api/RateLimitTest).
    s.put("api.rate_limit.requests", "1000000");
    s.put("api.auth_failures.limit", "1000000");
    // Never the development key: a normal start refuses it, and each class signs with its own.
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    s.put("click_id.keys", "1:" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    s.put("click_id.current_key_id", "1");
    // The webhooks role only where a test asks for it (its own consumer group per class).
    s.put("roles", "edge,api,ledger");
    s.put("webhooks.consumer_group", "webhooks." + suffix);
    byte[] webhookKey = new byte[32];
    new SecureRandom().nextBytes(webhookKey);
    s.put("webhooks.secret_key", Base64.getEncoder().encodeToString(webhookKey));
    s.putAll(overrides);
    return s;
  }

  /**
   * Starts a second engine on exactly {@code settings} (e.g. another engine's schema, topics and
   * group with other roles); closing it leaves the schema to the engine that created it.
   */
  public static TestEngine startSharing(Class<?> testClass, Map<String, String> settings) {
    AppConfig config = AppConfig.from(ConfigSource.load(Map.of(), settings));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Main.newVertx(registry);
    Engine engine = await(Engine.start(vertx, config, registry, Clock.systemUTC()));
    return new TestEngine(config, Map.copyOf(settings), vertx, engine, false);
  }

  /**
   * Another engine on this one's schema, Redis prefix, topics and group, on ports of its own, with
   * {@code overrides} (e.g. other roles); closing it leaves the schema to this one.
   */
  public TestEngine startAnother(Class<?> testClass, Map<String, String> overrides) {
    Map<String, String> s = new HashMap<>(settings);
    putFreePorts(s);
    s.putAll(overrides);
    return startSharing(testClass, s);
  }

  private static void putFreePorts(Map<String, String> s) {
    int edge = freePort();
    int api = freePort();
    s.put("http.edge_port", Integer.toString(edge));
    s.put("http.api_port", Integer.toString(api));
    s.put("http.ops_port", Integer.toString(freePort()));
    s.put("http.public_edge_url", "http://127.0.0.1:" + edge);
    s.put("http.public_api_url", "http://127.0.0.1:" + api);
  }

  /** The value of an unlabelled metric on this engine's /metrics; 0 when it is not there yet. */
  public double metric(String name) {
    for (String line : Http.get(opsUrl() + "/metrics").body().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return 0;
  }

  /** The configuration keys this engine runs with. */
  public Map<String, String> settingsView() {
    return Map.copyOf(settings);
  }

  /** Creates a program through the same code the create-program command runs. */
  public JsonObject createProgram(String name, String timeZone, String currency) {
    return await(new ProgramAdmin(engine.pool()).createProgram(name, timeZone, currency, "https://fallback.example/"));
  }

  public String affiliateKey(long programId, long affiliateId) {
    return await(new ProgramAdmin(engine.pool()).createAffiliateKey(programId, affiliateId, "test"));
  }

  /** A new owner key of {@code role} (admin, manager, reporting) for the program; returned once. */
  public String ownerKey(long programId, String role) {
    return await(new io.tracklane.store.ApiKeyRepository(engine.pool()).create(engine.pool(), programId,
        io.tracklane.store.ApiKeyRepository.NewKey.of(role, null, "test " + role))).secret();
  }

  public AppConfig config() {
    return config;
  }

  /** A click id codec with the engine's keys, for tests that drive a LedgerWriter themselves. */
  public ClickIdCodec clickIdCodec() {
    return new ClickIdCodec(config.clickId().keys(), config.clickId().currentKeyId(),
        () -> ThreadLocalRandom.current().nextLong());
  }

  /** The settings as TRACKLANE_* environment variables, for starting the jar in a child process. */
  public Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    settings.forEach((k, v) -> env.put(ConfigSource.envName(k), v));
    return env;
  }

  public String edgeUrl() {
    return "http://127.0.0.1:" + config.http().edgePort();
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + config.http().apiPort() + "/api/v1";
  }

  public String opsUrl() {
    return "http://127.0.0.1:" + config.http().opsPort();
  }

  public Vertx vertx() {
    return vertx;
  }

  public Engine engine() {
    return engine;
  }

  @Override
  public void close() {
    await(engine.stop());
    await(vertx.close());
    if (!ownsSchema) {
      return;
    }
    deleteRedisKeys(config);
    String keep = System.getenv(KEEP_SCHEMAS);
    if (keep != null && !keep.isBlank() && onSharedPostgres(config)) {
      // .ci/run verifies every ledger the tests left (java -jar tracklane.jar verify-ledger), then drops them.
      keepSchema(Path.of(keep), config.postgres().schema());
      return;
    }
    dropSchema(config);
  }

  /**
   * Whether the engine used the PostgreSQL every test shares (the one .ci/run verifies ledgers in),
   * not a cluster of the test's own, which the test stops and removes (testing/OwnServices).
   */
  private static boolean onSharedPostgres(AppConfig config) {
    AppConfig.PostgresConfig shared = AppConfig.from(ConfigSource.load(Map.of(), Map.of())).postgres();
    return shared.host().equals(config.postgres().host()) && shared.port() == config.postgres().port();
  }

  /** Names a file: each test class's schema is listed there and kept instead of dropped. */
  public static final String KEEP_SCHEMAS = "TRACKLANE_TEST_KEEP_SCHEMAS";

  private static synchronized void keepSchema(Path list, String schema) {
    try {
      Files.writeString(list, schema + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("could not list kept schema " + schema + " in " + list, e);
    }
  }

  public static void dropSchema(AppConfig config) {
    var pg = config.postgres();
    try (var conn = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
         var st = conn.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + pg.schema() + " CASCADE");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("could not drop test schema " + pg.schema(), e);
    }
  }

  private static void deleteRedisKeys(AppConfig config) {
    Vertx v = Vertx.vertx();
    Redis redis = Redis.createClient(v, config.redis().url());
    try {
      await(redis.send(Request.cmd(Command.EVAL).arg(
              "local ks = redis.call('KEYS', ARGV[1]) for _, k in ipairs(ks) do redis.call('DEL', k) end return #ks")
          .arg(0).arg(config.redis().keyPrefix() + "*")));
    } finally {
      redis.close();
      v.close();
    }
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException(cause.getMessage(), cause);
    }
  }

  /**
   * A free port never handed out before in this JVM. The OS may give the same ephemeral port twice,
   * and Vert.x lets two servers of one instance share a port (it round-robins between them): an
   * engine whose edge and ops ports coincided answered some redirects with the ops router's 404.
   */
  public static synchronized int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket socket = new ServerSocket(0)) {
        if (HANDED_OUT.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("no free port not handed out before");
  }
}
