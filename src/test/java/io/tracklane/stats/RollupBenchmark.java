package io.tracklane.stats;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.domain.EventIds;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.ledger.LedgerMetrics;
import io.tracklane.ledger.LedgerWriter;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.TestEngine;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the rollups cost the ledger, in one run: the ledger's batch writer drains the same mix of
 * facts (per sale: a click with source, subs and user agent, then the sale through it) with rollups
 * and without, in alternating rounds of fresh facts (so neither side has the warmer JIT or cache),
 * in batches of 500 as the consumer applies them. Prints each drain in facts/s and the ratio
 * (target: with rollups >= 90% of without). Kafka is left out of both sides alike.
 * Run: see docs/benchmarks.md (stats section).
 */
public final class RollupBenchmark {
  private static final int SALES = Integer.getInteger("sales", 10_000);
  private static final int ROUNDS = Integer.getInteger("rounds", 4);
  private static final int BATCH = 500;

  /** Exits when done: the engine's and Vert.x's threads would keep the JVM alive. */
  public static void main(String[] args) {
    int status = 0;
    try {
      run();
    } catch (Throwable e) {
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  private static void run() {
    try (TestEngine engine = TestEngine.start(RollupBenchmark.class, Map.of("roles", "api"));
         Facts facts = new Facts(engine)) {
      Fixtures f = new Fixtures(engine, "EUR", "Asia/Kolkata");
      String campaign = f.campaign(new JsonObject().put("currency", "EUR").put("reward_cadence", "every_payment"))
          .getString("id");
      long[] links = new long[4];
      long[] affiliates = new long[4];
      for (int a = 0; a < 4; a++) {
        String affiliate = f.affiliate(campaign, "bench" + a + "@partner.example").getString("id");
        affiliates[a] = Long.parseLong(affiliate);
        links[a] = Long.parseLong(f.link(campaign, affiliate).getString("id"));
      }
      ClickIdCodec codec = engine.clickIdCodec();
      LedgerMetrics metrics = new LedgerMetrics(new SimpleMeterRegistry());
      LedgerWriter with = new LedgerWriter(engine.engine().pool(), codec, metrics, ids -> Future.succeededFuture(),
          null, true);
      LedgerWriter without = new LedgerWriter(engine.engine().pool(), codec, metrics, ids -> Future.succeededFuture(),
          null, false);
      double withTotal = 0;
      double withoutTotal = 0;
      for (int round = 0; round < ROUNDS; round++) {
        boolean first = round % 2 == 0;
        double a = drain(first ? without : with, facts, f.programId, Long.parseLong(campaign), links, affiliates,
            "r" + round + "a");
        double b = drain(first ? with : without, facts, f.programId, Long.parseLong(campaign), links, affiliates,
            "r" + round + "b");
        double w = first ? b : a;
        double wo = first ? a : b;
        System.out.printf("round %d: without rollups %.0f facts/s, with rollups %.0f facts/s (%.0f%%)%n", round, wo,
            w, 100 * w / wo);
        if (round > 0) {
          withTotal += w;
          withoutTotal += wo;
        }
      }
      int counted = Math.max(1, ROUNDS - 1);
      System.out.printf("ledger drain (first round not counted: JIT warm-up): without rollups %.0f facts/s, "
          + "with rollups %.0f facts/s, ratio %.0f%% (target >= 90%%)%n", withoutTotal / counted,
          withTotal / counted, 100 * withTotal / withoutTotal);
    }
  }

  /** Applies SALES clicks and sales through {@code writer} in batches; facts per second. */
  private static double drain(LedgerWriter writer, Facts facts, long programId, long campaignId, long[] links,
      long[] affiliates, String prefix) {
    Instant now = Instant.now();
    List<CloudEvent> events = new ArrayList<>(SALES * 2);
    String[] agents = {"Mozilla/5.0 (Windows NT 10.0) Chrome/120.0", "Mozilla/5.0 (iPhone) Mobile Safari",
        "Mozilla/5.0 (iPad) Safari"};
    for (int i = 0; i < SALES; i++) {
      int a = i % links.length;
      Instant at = now.minusSeconds(i % 7200);
      String clickId = facts.clickId(links[a], at);
      events.add(new CloudEvent(EventIds.click(clickId), EventTypes.CLICK_RECORDED, programId, at, new JsonObject()
          .put("click_id", clickId).put("link_id", links[a]).put("campaign_id", campaignId)
          .put("affiliate_id", affiliates[a]).put("creditable", true).put("source", "s" + (i % 5))
          .put("sub1", "x" + (i % 3)).put("user_agent", agents[i % 3]).put("flags", new JsonArray())));
      events.add(Facts.postback(programId, at.plusSeconds(30), new JsonObject()
          .put("transaction_id", prefix + "-" + i).put("click_id", clickId).put("amount_minor", 1000L + i)
          .put("currency", "EUR")));
    }
    long start = System.nanoTime();
    for (int from = 0; from < events.size(); from += BATCH) {
      TestEngine.await(writer.apply(events.subList(from, Math.min(events.size(), from + BATCH))));
    }
    return events.size() / ((System.nanoTime() - start) / 1e9);
  }
}
