package io.tracklane.config;

import io.tracklane.domain.InvalidInput;
import io.tracklane.domain.IpRanges;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The whole typed configuration, validated once at start. */
public record AppConfig(
    Set<Role> roles,
    HttpConfig http,
    PostgresConfig postgres,
    RedisConfig redis,
    KafkaConfig kafka,
    LedgerConfig ledger,
    ClickIdConfig clickId,
    EdgeConfig edge,
    ApiConfig api,
    StatsConfig stats) {

  /** A role a process can run; all three by default. */
  public enum Role { EDGE, API, LEDGER }

  /**
   * The HTTP servers. The ops port binds {@code opsHost} (loopback by default: metrics and health
   * carry no authentication). A client must complete each request's headers within
   * {@code headerTimeoutMs}; a connection without traffic for {@code idleTimeoutSeconds} is closed.
   */
  public record HttpConfig(String host, int edgePort, int apiPort, String opsHost, int opsPort, int edgeInstances,
      int apiInstances, int bodyLimitBytes, String publicEdgeUrl, String publicApiUrl, int idleTimeoutSeconds,
      int headerTimeoutMs, int shutdownDelayMs, int shutdownGraceSeconds) {
  }

  public record PostgresConfig(String host, int port, String database, String user, String password,
      String schema, int poolSize) {
    public String jdbcUrl() {
      return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }
  }

  /** {@code maxPoolSize} connections, {@code maxPoolWaiting} requests queued for one; past it, local fallback. */
  public record RedisConfig(String url, String keyPrefix, int maxPoolSize, int maxPoolWaiting) {
  }

  public record KafkaConfig(String bootstrapServers, String topicFacts, String topicChanges,
      String topicDeadLetter, int partitions, int replicationFactor, int produceTimeoutMs, String consumerGroup) {
  }

  public record LedgerConfig(int instances, int batchMax, int pollTimeoutMs, int outboxSweepMs, int dueJobMs,
      int payoutJobMs, int sessionTimeoutMs, int lagProbeMs, int outboxBatch) {
  }

  public record ClickIdConfig(Map<Integer, byte[]> keys, int currentKeyId) {
    /**
     * The secret of the key written in config/application.yaml: public, so anyone could mint click
     * ids with it. Only the demo may run with it.
     */
    static final byte[] DEVELOPMENT_SECRET = "development-only-click-id-key-change-me"
        .getBytes(StandardCharsets.US_ASCII);

    /** Whether any listed key (current or kept for old ids) is the public development key. */
    public boolean hasDevelopmentKey() {
      return keys.values().stream().anyMatch(k -> Arrays.equals(k, DEVELOPMENT_SECRET));
    }
  }

  /** How long the edge remembers postbacks and visitors in Redis, and how long it waits for Redis. */
  public record EdgeConfig(int postbackDedupeTtlSeconds, int uniqueClickWindowSeconds, int redisTimeoutMs,
      IpRanges trustedProxies) {
  }

  /**
   * The API's limits: requests per key and window (a key or program may set its own count), failed
   * authentications per client address and window, how long Redis is waited for, how long a key
   * lookup is cached, how often key usage is written.
   */
  public record ApiConfig(int rateLimitRequests, int rateLimitWindowSeconds, int authFailureLimit,
      int authFailureWindowSeconds, int redisTimeoutMs, int keyCacheSeconds, int usageFlushMs,
      EventStreamConfig events) {
  }

  /** GET /api/v1/events: heartbeat period, streams per key (per API process), how long a client may not read. */
  public record EventStreamConfig(int heartbeatMs, int maxStreamsPerKey, int slowClientMs) {
  }

  /**
   * The stats cache (issue 8): how long an answer stays in Redis at most, and how long a read waits
   * for Redis before answering from PostgreSQL.
   */
  public record StatsConfig(int cacheTtlSeconds, int redisTimeoutMs) {
  }

  /** Loads from the bundled defaults and the process environment. */
  public static AppConfig load() {
    return from(ConfigSource.load(System.getenv(), Map.of()));
  }

  /** Builds the typed configuration from flat keys, listing every problem found. */
  public static AppConfig from(Map<String, String> values) {
    ConfigReader r = new ConfigReader(values);
    Set<Role> roles = roles(r);
    HttpConfig http = new HttpConfig(r.nonEmpty("http.host"), r.integer("http.edge_port", 0, 65535),
        r.integer("http.api_port", 0, 65535), r.nonEmpty("http.ops_host"), r.integer("http.ops_port", 0, 65535),
        r.integer("http.edge_instances", 1, 64), r.integer("http.api_instances", 1, 64),
        r.integer("http.body_limit_bytes", 1024, 16 * 1024 * 1024),
        r.nonEmpty("http.public_edge_url"), r.nonEmpty("http.public_api_url"),
        r.integer("http.idle_timeout_seconds", 1, 3600), r.integer("http.header_timeout_ms", 100, 600_000),
        r.integer("http.shutdown_delay_ms", 0, 120_000), r.integer("http.shutdown_grace_seconds", 0, 300));
    PostgresConfig pg = new PostgresConfig(r.nonEmpty("postgres.host"), r.integer("postgres.port", 1, 65535),
        r.nonEmpty("postgres.database"), r.nonEmpty("postgres.user"), r.string("postgres.password"),
        r.nonEmpty("postgres.schema"), r.integer("postgres.pool_size", 1, 200));
    if (!pg.schema().matches("[a-z_][a-z0-9_]{0,62}")) {
      r.problem("postgres.schema must be a lower-case SQL identifier, got '" + pg.schema() + "'");
    }
    RedisConfig redis = new RedisConfig(r.nonEmpty("redis.url"), r.string("redis.key_prefix"),
        r.integer("redis.max_pool_size", 1, 1024), r.integer("redis.max_pool_waiting", 0, 100_000));
    KafkaConfig kafka = new KafkaConfig(r.nonEmpty("kafka.bootstrap_servers"), r.nonEmpty("kafka.topic_facts"),
        r.nonEmpty("kafka.topic_changes"), r.nonEmpty("kafka.topic_dead_letter"),
        r.integer("kafka.partitions", 1, 1024), r.integer("kafka.replication_factor", 1, 32),
        r.integer("kafka.produce_timeout_ms", 100, 120_000),
        r.nonEmpty("kafka.consumer_group"));
    LedgerConfig ledger = new LedgerConfig(r.integer("ledger.instances", 1, 64),
        r.integer("ledger.batch_max", 1, 10_000), r.integer("ledger.poll_timeout_ms", 10, 10_000),
        r.integer("ledger.outbox_sweep_ms", 50, 600_000), r.integer("ledger.due_job_ms", 100, 86_400_000),
        r.integer("ledger.payout_job_ms", 0, 604_800_000), r.integer("ledger.session_timeout_ms", 1000, 300_000),
        r.integer("ledger.lag_probe_ms", 500, 600_000), r.integer("ledger.outbox_batch", 1, 50_000));
    ClickIdConfig clickId = clickIdKeys(r);
    EdgeConfig edge = new EdgeConfig(r.integer("edge.postback_dedupe_ttl_seconds", 60, 90 * 86400),
        r.integer("edge.unique_click_window_seconds", 60, 30 * 86400), r.integer("edge.redis_timeout_ms", 10, 10_000),
        ipRanges(r, "edge.trusted_proxies"));
    ApiConfig api = new ApiConfig(r.integer("api.rate_limit.requests", 1, 100_000_000),
        r.integer("api.rate_limit.window_seconds", 1, 86_400), r.integer("api.auth_failures.limit", 1, 100_000_000),
        r.integer("api.auth_failures.window_seconds", 1, 86_400), r.integer("api.redis_timeout_ms", 10, 10_000),
        r.integer("api.key_cache_seconds", 1, 3600), r.integer("api.usage_flush_ms", 100, 600_000),
        new EventStreamConfig(r.integer("api.events.heartbeat_ms", 100, 300_000),
            r.integer("api.events.max_streams_per_key", 1, 10_000), r.integer("api.events.slow_client_ms", 100, 600_000)));
    StatsConfig stats = new StatsConfig(r.integer("stats.cache_ttl_seconds", 1, 30 * 86400),
        r.integer("stats.redis_timeout_ms", 5, 10_000));
    r.check();
    return new AppConfig(roles, http, pg, redis, kafka, ledger, clickId, edge, api, stats);
  }

  public boolean runs(Role role) {
    return roles.contains(role);
  }

  private static Set<Role> roles(ConfigReader r) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : r.list("roles")) {
      try {
        roles.add(Role.valueOf(name.toUpperCase(java.util.Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        r.problem("roles: unknown role '" + name + "' (edge, api, ledger)");
      }
    }
    if (roles.isEmpty()) {
      r.problem("roles must name at least one of edge, api, ledger");
    }
    return roles;
  }

  private static IpRanges ipRanges(ConfigReader r, String key) {
    try {
      return IpRanges.parse(key, r.list(key));
    } catch (InvalidInput e) {
      r.problem(e.getMessage());
      return IpRanges.NONE;
    }
  }

  private static ClickIdConfig clickIdKeys(ConfigReader r) {
    Map<Integer, byte[]> keys = new HashMap<>();
    for (String pair : r.list("click_id.keys")) {
      int colon = pair.indexOf(':');
      try {
        int id = Integer.parseInt(pair.substring(0, colon));
        byte[] secret = Base64.getUrlDecoder().decode(pair.substring(colon + 1));
        if (id < 0 || id > 255 || secret.length < 16) {
          r.problem("click_id.keys: key " + id + " needs an id 0..255 and at least 16 secret bytes");
        }
        keys.put(id, secret);
      } catch (RuntimeException e) {
        r.problem("click_id.keys: '" + pair.replaceAll(":.*", ":***") + "' is not id:base64url-secret");
      }
    }
    int current = r.integer("click_id.current_key_id", 0, 255);
    if (!keys.containsKey(current)) {
      r.problem("click_id.current_key_id " + current + " is not among click_id.keys");
    }
    return new ClickIdConfig(Map.copyOf(keys), current);
  }

  /** Roles in the order a list names them, for messages. */
  public List<String> roleNames() {
    return roles.stream().map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).toList();
  }
}
