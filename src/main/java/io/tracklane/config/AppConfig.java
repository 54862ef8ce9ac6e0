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
    StatsConfig stats,
    WebhooksConfig webhooks) {

  /** A role a process can run; all of them by default. */
  public enum Role { EDGE, API, LEDGER, WEBHOOKS }

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
      String topicDeadLetter, int partitions, int replicationFactor, int produceTimeoutMs, String consumerGroup,
      int lingerMs, int postbackLingerMs, int batchBytes, String compression) {
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
      IpRanges trustedProxies, int uniqueVisitorsMax, JournalConfig journal) {
  }

  /**
   * The edge's local fact journal (docs/edge.md): where, how much disk it may take, how large its
   * segments grow, when it syncs, above how many bytes the instance reports not-ready, and how many
   * facts may wait in the Kafka producer before new ones go to the journal; whether every click and
   * impression is journaled before it is answered (write-ahead) or only when Kafka cannot take it.
   */
  public record JournalConfig(String dir, long quotaBytes, long segmentBytes, long highWaterBytes, String fsync,
      int fsyncIntervalMs, int bufferMaxFacts, boolean writeAhead) {
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

  /**
   * Partner postbacks (the webhooks role): its consumer group on the changes topic, how often it
   * looks for due deliveries, the HTTP limits of one attempt, the retry schedule, the circuit
   * breaker per endpoint, the hosts exempt from the address check, and the AES-256 key that
   * encrypts the signing secrets at rest.
   */
  public record WebhooksConfig(String consumerGroup, int pollMs, int batch, int timeoutMs, int responseBodyLimitBytes,
      int retryWindowSeconds, int backoffBaseMs, int backoffMaxMs, int breakerFailures, int breakerOpenSeconds,
      Set<String> allowHosts, byte[] secretKey) {
    /** The public demo key of config/application.yaml. */
    public static final String DEVELOPMENT_KEY = "ZGV2ZWxvcG1lbnQtb25seS13ZWJob29rcy1rZXktISE=";

    public boolean allows(String host) {
      return allowHosts.contains(host.toLowerCase(java.util.Locale.ROOT));
    }

    public boolean hasDevelopmentKey() {
      return Arrays.equals(secretKey, Base64.getDecoder().decode(DEVELOPMENT_KEY));
    }
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
        r.nonEmpty("kafka.consumer_group"), r.integer("kafka.linger_ms", 0, 1000),
        r.integer("kafka.postback_linger_ms", 0, 1000),
        r.integer("kafka.batch_bytes", 1024, 16 * 1024 * 1024), r.nonEmpty("kafka.compression"));
    if (!List.of("none", "gzip", "snappy", "lz4", "zstd").contains(kafka.compression())) {
      r.problem("kafka.compression must be one of none, gzip, snappy, lz4, zstd, got '" + kafka.compression() + "'");
    }
    JournalConfig journal = new JournalConfig(r.nonEmpty("edge.journal.dir"),
        r.longValue("edge.journal.quota_bytes", 1024, Long.MAX_VALUE / 2),
        r.longValue("edge.journal.segment_bytes", 1024, 1L << 30),
        r.longValue("edge.journal.high_water_bytes", 0, Long.MAX_VALUE / 2), r.nonEmpty("edge.journal.fsync"),
        r.integer("edge.journal.fsync_interval_ms", 1, 60_000), r.integer("edge.journal.buffer_max_facts", 1, 10_000_000),
        r.bool("edge.journal.write_ahead"));
    if (!List.of("always", "interval", "never").contains(journal.fsync())) {
      r.problem("edge.journal.fsync must be always, interval or never, got '" + journal.fsync() + "'");
    }
    LedgerConfig ledger = new LedgerConfig(r.integer("ledger.instances", 1, 64),
        r.integer("ledger.batch_max", 1, 10_000), r.integer("ledger.poll_timeout_ms", 10, 10_000),
        r.integer("ledger.outbox_sweep_ms", 50, 600_000), r.integer("ledger.due_job_ms", 100, 86_400_000),
        r.integer("ledger.payout_job_ms", 0, 604_800_000), r.integer("ledger.session_timeout_ms", 1000, 300_000),
        r.integer("ledger.lag_probe_ms", 500, 600_000), r.integer("ledger.outbox_batch", 1, 50_000));
    ClickIdConfig clickId = clickIdKeys(r);
    EdgeConfig edge = new EdgeConfig(r.integer("edge.postback_dedupe_ttl_seconds", 60, 90 * 86400),
        r.integer("edge.unique_click_window_seconds", 60, 30 * 86400), r.integer("edge.redis_timeout_ms", 10, 10_000),
        ipRanges(r, "edge.trusted_proxies"), r.integer("edge.unique_visitors_max", 1000, 100_000_000), journal);
    ApiConfig api = new ApiConfig(r.integer("api.rate_limit.requests", 1, 100_000_000),
        r.integer("api.rate_limit.window_seconds", 1, 86_400), r.integer("api.auth_failures.limit", 1, 100_000_000),
        r.integer("api.auth_failures.window_seconds", 1, 86_400), r.integer("api.redis_timeout_ms", 10, 10_000),
        r.integer("api.key_cache_seconds", 1, 3600), r.integer("api.usage_flush_ms", 100, 600_000),
        new EventStreamConfig(r.integer("api.events.heartbeat_ms", 100, 300_000),
            r.integer("api.events.max_streams_per_key", 1, 10_000), r.integer("api.events.slow_client_ms", 100, 600_000)));
    StatsConfig stats = new StatsConfig(r.integer("stats.cache_ttl_seconds", 1, 30 * 86400),
        r.integer("stats.redis_timeout_ms", 5, 10_000));
    WebhooksConfig webhooks = webhooks(r);
    r.check();
    return new AppConfig(roles, http, pg, redis, kafka, ledger, clickId, edge, api, stats, webhooks);
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
        r.problem("roles: unknown role '" + name + "' (edge, api, ledger, webhooks)");
      }
    }
    if (roles.isEmpty()) {
      r.problem("roles must name at least one of edge, api, ledger, webhooks");
    }
    return roles;
  }

  private static WebhooksConfig webhooks(ConfigReader r) {
    byte[] key = new byte[0];
    try {
      key = Base64.getDecoder().decode(r.string("webhooks.secret_key"));
    } catch (IllegalArgumentException e) {
      // reported below
    }
    if (key.length != 32) {
      r.problem("webhooks.secret_key must be 32 bytes in base64 (openssl rand -base64 32)");
    }
    Set<String> allow = new java.util.HashSet<>();
    r.list("webhooks.allow_hosts").forEach(h -> allow.add(h.toLowerCase(java.util.Locale.ROOT)));
    return new WebhooksConfig(r.nonEmpty("webhooks.consumer_group"), r.integer("webhooks.poll_ms", 10, 60_000),
        r.integer("webhooks.batch", 1, 1000), r.integer("webhooks.timeout_ms", 100, 60_000),
        r.integer("webhooks.response_body_limit_bytes", 0, 1024 * 1024),
        r.integer("webhooks.retry_window_seconds", 1, 30 * 86_400), r.integer("webhooks.backoff_base_ms", 1, 3_600_000),
        r.integer("webhooks.backoff_max_ms", 1, 86_400_000), r.integer("webhooks.breaker.failures", 1, 10_000),
        r.integer("webhooks.breaker.open_seconds", 1, 86_400), Set.copyOf(allow), key);
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
