package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.firehose.CloudEvent;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ledger runs in a child JVM that is killed (SIGKILL) in the middle of its work, then a new
 * one finishes: every conversion, commission and total is as if nothing had happened.
 */
@Timeout(240)
class LedgerCrashRecoveryTest {
  private static final int SALES = 1500;
  private static TestEngine engine;
  private static Facts facts;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(LedgerCrashRecoveryTest.class, Map.of("roles", "edge,api", "ledger.batch_max", "200"));
    facts = new Facts(engine);
  }

  @AfterAll
  static void stop() {
    facts.close();
    engine.close();
  }

  @Test
  void killedMidBatchAndRestartedTheTotalsAreUnchanged() throws Exception {
    Fixtures f = new Fixtures(engine, "EUR");
    JsonObject campaign = f.campaign(new JsonObject().put("reward_cadence", "custom").put("max_commissions", 2)
        .put("commission_percent", 12.5));
    String affiliate = f.affiliate(campaign.getString("id"), "crash@partner.example").getString("id");
    long linkId = Long.parseLong(f.link(campaign.getString("id"), affiliate).getString("id"));
    Instant now = Instant.now();
    long expectedSum = 0;
    int expectedCommissions = 0;
    List<CloudEvent> events = new ArrayList<>();
    for (int i = 0; i < SALES; i++) {
      long amount = 1000 + i * 7L;
      if (i % 300 < 200) {
        // Customers with three sales each: only the first two earn under max_commissions 2.
        expectedSum += i % 3 == 2 ? 0 : halfEven(amount);
        expectedCommissions += i % 3 == 2 ? 0 : 1;
      } else {
        expectedSum += halfEven(amount);
        expectedCommissions++;
      }
      String customer = i % 300 < 200 ? "c-" + (i / 3) : "solo-" + i;
      events.add(Facts.postback(f.programId, now, new JsonObject().put("transaction_id", "k-" + i)
          .put("click_id", facts.clickId(linkId, now)).put("customer_id", customer).put("amount_minor", amount)
          .put("currency", "EUR")));
    }
    for (int i = 0; i < events.size(); i++) {
      facts.send(0, events.get(i));
      if (i % 10 == 0) {
        facts.send(0, events.get(i / 2));
      }
    }

    Process first = ledgerProcess();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    long seen = 0;
    while (seen < SALES / 5 && System.nanoTime() < deadline) {
      seen = facts.scalar("SELECT count(*) FROM conversions WHERE program_id = $1", f.programId);
      Thread.sleep(20);
    }
    first.destroyForcibly().waitFor();
    long atKill = facts.scalar("SELECT count(*) FROM conversions WHERE program_id = $1", f.programId);
    assertTrue(atKill > 0 && atKill < SALES, "killed mid-stream, after " + atKill + " conversions");

    Process second = ledgerProcess();
    try {
      facts.awaitScalar(SALES, Duration.ofSeconds(120), "SELECT count(*) FROM conversions WHERE program_id = $1",
          f.programId);
      Thread.sleep(1000);
      assertEquals(SALES, facts.scalar("SELECT count(*) FROM conversions WHERE program_id = $1", f.programId));
      assertEquals(expectedCommissions, facts.scalar("SELECT count(*) FROM commissions WHERE program_id = $1",
          f.programId));
      assertEquals(expectedSum, facts.scalar("SELECT sum(amount_minor) FROM commissions WHERE program_id = $1",
          f.programId));
      assertEquals(0, facts.scalar("""
          SELECT count(*) FROM customers WHERE program_id = $1 AND (SELECT coalesce(sum(commissioned_sales), 0)
            FROM customer_campaigns cc WHERE cc.customer_id = customers.id) <> (
            SELECT count(*) FROM commissions m JOIN conversions v ON v.id = m.conversion_id
             WHERE v.customer_id = customers.id)""", f.programId));
    } finally {
      second.destroy();
      second.waitFor();
    }
  }

  /** 12.5% half-even, written out independently of Money for the check. */
  private static long halfEven(long amount) {
    return new java.math.BigDecimal(amount).multiply(new java.math.BigDecimal("0.125"))
        .setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
  }

  private static Process ledgerProcess() throws Exception {
    Map<String, String> env = engine.environment();
    env.put("TRACKLANE_ROLES", "ledger");
    env.put("TRACKLANE_HTTP_OPS_PORT", Integer.toString(TestEngine.freePort()));
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "io.tracklane.Main", "serve");
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(new File("target/ledger-child.log"));
    return pb.start();
  }
}
