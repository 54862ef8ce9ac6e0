package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.store.ApiKeyRepository;
import io.tracklane.store.ApiKeyRepository.NewKey;
import io.tracklane.testing.Sql;
import io.tracklane.testing.TestEngine;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Key usage is gathered in memory on the request path and written in one statement, on the real PostgreSQL. */
@Timeout(120)
class ApiKeyUsageTest {
  private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

  private static TestEngine engine;
  private static ApiKeyRepository keys;
  private static long programId;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(ApiKeyUsageTest.class);
    keys = new ApiKeyRepository(engine.engine().pool());
    programId = Long.parseLong(engine.createProgram("Usage", "UTC", "EUR").getString("program_id"));
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void requestsFromManyThreadsAreWrittenOnlyOnFlushInOneStatementForAllKeys() throws Exception {
    long first = newKey();
    long second = newKey();
    SettableClock clock = new SettableClock(T);
    ApiKeyUsage usage = new ApiKeyUsage(keys, clock, 600_000);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 150; i++) {
          usage.record(programId, first);
          if (i % 3 == 0) {
            usage.record(programId, second);
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(Map.of("request_count", 0L), row(first, "request_count"), "nothing written on the request path");

    assertEquals(2, TestEngine.await(usage.flush()), "both keys in the one statement");
    assertEquals(600L, row(first, "request_count").get("request_count"));
    assertEquals(200L, row(second, "request_count").get("request_count"));
    assertEquals(T.getEpochSecond(), lastUsed(first));
    assertEquals(0, TestEngine.await(usage.flush()), "nothing left to write");

    clock.now = T.plusSeconds(5);
    usage.record(programId, first);
    assertEquals(1, TestEngine.await(usage.flush()));
    assertEquals(601L, row(first, "request_count").get("request_count"));
    assertEquals(T.getEpochSecond() + 5, lastUsed(first));
  }

  @Test
  void usageNamingAnotherProgramChangesNothing() {
    long key = newKey();
    ApiKeyUsage usage = new ApiKeyUsage(keys, Clock.fixed(T, ZoneOffset.UTC), 600_000);
    usage.record(programId + 1000, key);
    assertEquals(0, TestEngine.await(usage.flush()));
    assertEquals(0L, row(key, "request_count").get("request_count"));
  }

  private static long newKey() {
    return TestEngine.await(keys.create(engine.engine().pool(), programId, NewKey.of("reporting", null, "u"))).id();
  }

  private static long lastUsed(long keyId) {
    return ((Number) Sql.query(engine, "SELECT extract(epoch FROM last_used_at)::bigint AS t FROM api_keys WHERE id = ?",
        keyId).get(0).get("t")).longValue();
  }

  private static Map<String, Object> row(long keyId, String column) {
    return Sql.query(engine, "SELECT " + column + " FROM api_keys WHERE id = ?", keyId).get(0);
  }

  /** A clock the test moves. */
  private static final class SettableClock extends Clock {
    volatile Instant now;

    SettableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
