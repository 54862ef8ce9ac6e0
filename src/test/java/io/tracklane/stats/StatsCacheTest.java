package io.tracklane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tracklane.domain.EventIds;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The stats cache against a Redis of its own (started here on another port, so it may be flushed and
 * stopped): a change is seen one second after the ledger commits it; an emptied Redis changes no
 * answer; concurrent misses of a key are computed once; with Redis down the answers come from
 * PostgreSQL and a metric counts them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatsCacheTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static Process redis;
  private static int redisPort;
  private static TestEngine engine;
  private static Facts facts;
  private static Fixtures owner;
  private static JsonObject link;

  @BeforeAll
  static void start() throws IOException {
    redisPort = TestEngine.freePort();
    redis = startRedis(redisPort);
    engine = TestEngine.start(StatsCacheTest.class, Map.of("redis.url", "redis://127.0.0.1:" + redisPort,
        "stats.redis_timeout_ms", "200"));
    facts = new Facts(engine);
    owner = new Fixtures(engine, "INR", "Asia/Kolkata");
    String campaign = owner.campaign(new JsonObject().put("currency", "INR")).getString("id");
    String affiliate = owner.affiliate(campaign, "cache@partner.example").getString("id");
    link = owner.link(campaign, affiliate);
    click("news");
    click("news");
    click(null);
    awaitClicks(3);
  }

  @AfterAll
  static void stop() {
    facts.close();
    engine.close();
    redis.destroy();
  }

  static Process startRedis(int port) throws IOException {
    Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--save", "",
        "--appendonly", "no", "--bind", "127.0.0.1").redirectErrorStream(true)
        .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "stats-redis-" + port + ".log")).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return p;
      } catch (IOException e) {
        Http.sleep(50);
      }
    }
    throw new IllegalStateException("redis-server did not start on " + port);
  }

  private static void redisCli(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(redisPort)));
    cmd.addAll(List.of(args));
    assertEquals(0, new ProcessBuilder(cmd).start().waitFor());
  }

  private static void click(String source) {
    Instant at = Instant.now();
    long linkId = Long.parseLong(link.getString("id"));
    String id = facts.clickId(linkId, at);
    facts.send(new CloudEvent(EventIds.click(id), EventTypes.CLICK_RECORDED, owner.programId, at, new JsonObject()
        .put("click_id", id).put("link_id", linkId).put("campaign_id", Long.parseLong(link.getString("campaign_id")))
        .put("affiliate_id", Long.parseLong(link.getString("affiliate_id"))).put("creditable", true)
        .put("source", source).put("user_agent", "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0")
        .put("flags", new JsonArray())));
  }

  private static void awaitClicks(long n) {
    facts.awaitScalar(n, WAIT, "SELECT coalesce(sum(clicks), 0)::bigint FROM stats_rollups WHERE program_id = $1",
        owner.programId);
  }

  private static JsonObject analytics(String query) {
    HttpResponse<String> r = owner.ownerGet("/analytics" + query);
    assertEquals(200, r.statusCode(), r.body());
    return Http.json(r);
  }

  private static String report() {
    HttpResponse<String> r = owner.ownerGet("/reports?group_by=source");
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private static double cacheMetric(String result) {
    for (String line : Http.get(engine.opsUrl() + "/metrics").body().split("\n")) {
      if (line.startsWith("tracklane_stats_cache_requests_total{") && line.contains("result=\"" + result + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  @Test
  @Order(0)
  void reportsArePagedFilteredAndExportedAsCsv() {
    JsonObject bySource = Http.json(owner.ownerGet("/reports?group_by=source&limit=1&page=2"));
    assertEquals(2, bySource.getJsonObject("pagination").getLong("total_count"));
    assertEquals(1, bySource.getJsonArray("data").size());
    assertEquals("news", bySource.getJsonArray("data").getJsonObject(0).getString("key"));
    assertEquals(2, bySource.getJsonArray("data").getJsonObject(0).getLong("clicks"));
    JsonObject filtered = Http.json(owner.ownerGet("/reports?group_by=device&source=news"));
    assertEquals(1, filtered.getJsonArray("data").size());
    assertEquals("desktop", filtered.getJsonArray("data").getJsonObject(0).getString("key"));
    assertEquals(2, filtered.getJsonArray("data").getJsonObject(0).getLong("clicks"));
    HttpResponse<String> csv = Http.get(engine.apiUrl() + "/reports?group_by=source", "X-Api-Key", owner.ownerKey,
        "Accept", "text/csv");
    assertEquals(200, csv.statusCode(), csv.body());
    assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
    String[] lines = csv.body().split("\r\n");
    assertEquals(String.join(",", StatsReport.CSV_COLUMNS), lines[0]);
    assertEquals(",1,1,0,0,0,0,0,0,0.0000,,,,,,,", lines[1]);
    assertEquals("news,2,2,0,0,0,0,0,0,0.0000,,,,,,,", lines[2]);
    for (String bad : List.of("group_by=week", "from=2026-13-01", "from=2026-11-02&to=2026-11-01",
        "timezone=Mars/Olympus", "device=fridge", "from=2000-01-01&to=2026-01-01")) {
      HttpResponse<String> r = owner.ownerGet("/reports?" + bad);
      assertEquals(400, r.statusCode(), bad + ": " + r.body());
    }
  }

  @Test
  @Order(1)
  void aChangeIsSeenOneSecondAfterTheLedgerCommitsIt() {
    long before = analytics("").getJsonObject("totals").getLong("clicks");
    double hits = cacheMetric("hit");
    assertEquals(before, analytics("").getJsonObject("totals").getLong("clicks"));
    assertTrue(cacheMetric("hit") > hits, "the second read is answered from the cache");
    click("ads");
    awaitClicks(before + 1);
    Http.sleep(1000);
    assertEquals(before + 1, analytics("").getJsonObject("totals").getLong("clicks"));
  }

  @Test
  @Order(2)
  void anEmptiedRedisChangesNoAnswer() throws Exception {
    JsonObject dashboard = analytics("?range=90d");
    String report = report();
    redisCli("FLUSHALL");
    assertEquals(dashboard, analytics("?range=90d"));
    assertEquals(report, report());
    double hits = cacheMetric("hit");
    assertEquals(dashboard, analytics("?range=90d"));
    assertTrue(cacheMetric("hit") > hits, "refilled after the flush");
  }

  @Test
  @Order(3)
  void concurrentMissesOfOneKeyAreComputedOnce() {
    StatsCache cache = new StatsCache(engine.vertx(), TestEngine.await(Future.succeededFuture(
        io.vertx.redis.client.Redis.createClient(engine.vertx(), "redis://127.0.0.1:" + redisPort))),
        "test:singleflight:" + System.nanoTime() + ":", 60, 500, new SimpleMeterRegistry());
    AtomicInteger computed = new AtomicInteger();
    Promise<JsonObject> answer = Promise.promise();
    List<Future<JsonObject>> callers = new ArrayList<>();
    engine.vertx().runOnContext(v -> {
      for (int i = 0; i < 20; i++) {
        callers.add(cache.get(7, "test", "same", () -> {
          computed.incrementAndGet();
          return answer.future();
        }));
      }
    });
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (computed.get() == 0 && System.nanoTime() < deadline) {
      Http.sleep(10);
    }
    Http.sleep(200);
    answer.complete(new JsonObject().put("n", 1));
    for (Future<JsonObject> f : callers) {
      assertEquals(new JsonObject().put("n", 1), TestEngine.await(f));
    }
    assertEquals(20, callers.size());
    assertEquals(1, computed.get(), "20 concurrent misses computed once");
  }

  @Test
  @Order(4)
  void withRedisDownAnswersComeFromPostgresAndAreCounted() throws Exception {
    JsonObject before = analytics("?range=12m");
    redis.destroy();
    redis.waitFor();
    double unavailable = cacheMetric("unavailable");
    assertEquals(before, analytics("?range=12m"));
    assertTrue(cacheMetric("unavailable") > unavailable, "counted as answered without the cache");
    // A change while Redis is down is seen: nothing is cached meanwhile.
    long clicks = before.getJsonObject("totals").getLong("clicks");
    click("down");
    awaitClicks(clicks + 1);
    assertEquals(clicks + 1, analytics("?range=12m").getJsonObject("totals").getLong("clicks"));
    // Redis back (empty): the same answers, cached again.
    redis = startRedis(redisPort);
    JsonObject after = Http.json(Http.poll(WAIT, r -> r.statusCode() == 200
        && Http.json(r).getJsonObject("totals").getLong("clicks") == clicks + 1,
        engine.apiUrl() + "/analytics?range=12m", "X-Api-Key", owner.ownerKey));
    assertEquals(clicks + 1, after.getJsonObject("totals").getLong("clicks"));
  }
}
