package io.tracklane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.domain.EventIds;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A replay of the whole facts topic from offset 0 into a fresh consumer group (a second ledger on
 * the same database) leaves every rollup row, every commission and every answer unchanged: the
 * ledger counts only what its idempotent writes found new.
 */
class StatsReplayTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static TestEngine engine;
  private static Facts facts;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(StatsReplayTest.class, Map.of("ledger.batch_max", "5"));
    facts = new Facts(engine);
  }

  @AfterAll
  static void stop() {
    facts.close();
    engine.close();
  }

  @Test
  void replayingTheTopicIntoAFreshGroupChangesNoFigure() {
    Fixtures f = new Fixtures(engine, "EUR", "Asia/Kathmandu");
    String campaign = f.campaign(new JsonObject().put("currency", "EUR").put("lead_reward_cents", 150))
        .getString("id");
    String affiliate = f.affiliate(campaign, "replay@partner.example").getString("id");
    JsonObject link = f.link(campaign, affiliate);
    long linkId = Long.parseLong(link.getString("id"));
    Instant base = Instant.now().minus(Duration.ofHours(30));
    List<CloudEvent> sent = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Instant at = base.plus(Duration.ofMinutes(97L * i));
      String clickId = facts.clickId(linkId, at);
      sent.add(new CloudEvent(EventIds.click(clickId), EventTypes.CLICK_RECORDED, f.programId, at, new JsonObject()
          .put("click_id", clickId).put("link_id", linkId).put("campaign_id", Long.parseLong(campaign))
          .put("affiliate_id", Long.parseLong(affiliate)).put("creditable", true)
          .put("source", i % 3 == 0 ? "news" : null).put("sub1", "s" + (i % 2))
          .put("user_agent", i % 4 == 0 ? "Mozilla/5.0 (iPhone) Mobile Safari" : "Mozilla/5.0 (X11; Linux) Firefox/120")
          .put("flags", new JsonArray(i % 5 == 0 ? List.of("duplicate") : List.of()))));
      sent.add(new CloudEvent("imp_" + UUID.randomUUID(), EventTypes.IMPRESSION_RECORDED, f.programId, at,
          new JsonObject().put("link_id", linkId).put("campaign_id", Long.parseLong(campaign))
              .put("affiliate_id", Long.parseLong(affiliate))));
      if (i % 2 == 0) {
        sent.add(Facts.postback(f.programId, at.plusSeconds(60), new JsonObject().put("transaction_id", "S" + i)
            .put("click_id", clickId).put("amount_minor", 1_000L + i).put("currency", "EUR")));
      } else {
        sent.add(Facts.postback(f.programId, at.plusSeconds(60), new JsonObject().put("event", "lead")
            .put("transaction_id", "L" + i).put("click_id", clickId)));
      }
      if (i % 4 == 0) {
        sent.add(Facts.postback(f.programId, at.plusSeconds(120), new JsonObject().put("event", "refund")
            .put("transaction_id", "S" + i).put("refund_id", "R" + i).put("amount_minor", 300L)
            .put("currency", "EUR")));
      }
    }
    // Redeliveries of a few facts, as after a crash before the offset commit.
    List<CloudEvent> again = new ArrayList<>(sent.subList(0, 6));
    sent.addAll(again);
    sent.forEach(facts::send);
    facts.awaitScalar(3, WAIT, """
        SELECT count(*) FROM conversions WHERE program_id = $1 AND kind = 'refund' AND status = 'credited'""",
        f.programId);
    facts.awaitScalar(12, WAIT, "SELECT coalesce(sum(clicks), 0)::bigint FROM stats_rollups WHERE program_id = $1",
        f.programId);
    Http.sleep(500);
    List<String> rollups = snapshot(f.programId);
    List<String> commissions = commissions(f.programId);
    String report = f.ownerGet("/reports?group_by=sub1&from=2026-01-01&to=2027-12-31").body();
    assertEquals(12, facts.scalar("SELECT sum(clicks)::bigint FROM stats_rollups WHERE program_id = $1", f.programId));
    assertEquals(12, facts.scalar("SELECT sum(impressions)::bigint FROM stats_rollups WHERE program_id = $1",
        f.programId));

    TestEngine replay = engine.startAnother(StatsReplayTest.class, Map.of("roles", "ledger",
        "kafka.consumer_group", "replay." + UUID.randomUUID()));
    try {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (replay.metric("tracklane_ledger_facts_total") < sent.size() && System.nanoTime() < deadline) {
        Http.sleep(200);
      }
      assertTrue(replay.metric("tracklane_ledger_facts_total") >= sent.size(), "the replay consumed the topic");
      Http.sleep(500);
      assertEquals(rollups, snapshot(f.programId), "every rollup row after the replay");
      assertEquals(commissions, commissions(f.programId), "every commission after the replay");
      assertEquals(report, f.ownerGet("/reports?group_by=sub1&from=2026-01-01&to=2027-12-31").body());
    } finally {
      replay.close();
    }
  }

  private static List<String> snapshot(long programId) {
    List<String> out = new ArrayList<>();
    facts.sql("SELECT * FROM stats_rollups WHERE program_id = $1 ORDER BY bucket, link_id, source, sub1, sub2, "
        + "device, currency", programId).forEach(r -> out.add(r.toJson().encode()));
    return out;
  }

  private static List<String> commissions(long programId) {
    List<String> out = new ArrayList<>();
    facts.sql("SELECT id, amount_minor, status FROM commissions WHERE program_id = $1 ORDER BY id", programId)
        .forEach(r -> out.add(r.toJson().encode()));
    return out;
  }
}
