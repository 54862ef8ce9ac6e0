package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.domain.EventIds;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.TestEngine;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
 * A batch applied set-based (clicks and impressions in one statement each, sales in rounds with one
 * conversion statement per round) ends in the same rows, commissions and rollups as the same facts
 * applied one at a time, redeliveries included; duplicate click ids inside a batch and against a
 * stored click are counted as collisions.
 */
@Timeout(180)
class SetBasedBatchTest {
  private static TestEngine engine;
  private static Facts facts;
  private static ClickIdCodec codec;

  @BeforeAll
  static void start() {
    // No ledger role: the test applies the batches itself.
    engine = TestEngine.start(SetBasedBatchTest.class, Map.of("roles", "edge,api"));
    facts = new Facts(engine);
    codec = engine.clickIdCodec();
  }

  @AfterAll
  static void stop() {
    facts.close();
    engine.close();
  }

  @Test
  void aBatchAppliedTogetherEqualsTheSameFactsAppliedOneByOne() {
    Instant at = Instant.now().minus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Program together = new Program();
    Program oneByOne = new Program();
    List<CloudEvent> a = together.facts(at);
    List<CloudEvent> b = oneByOne.facts(at);

    // Together: the batch with its first half redelivered inside it, then its second half redelivered.
    List<CloudEvent> batch = new ArrayList<>(a);
    batch.addAll(a.subList(0, a.size() / 2));
    TestEngine.await(together.writer.apply(batch));
    TestEngine.await(together.writer.apply(a.subList(a.size() / 2, a.size())));
    // One by one, in the same order, each redelivered after all of them.
    for (CloudEvent e : b) {
      TestEngine.await(oneByOne.writer.apply(List.of(e)));
    }
    for (CloudEvent e : b) {
      TestEngine.await(oneByOne.writer.apply(List.of(e)));
    }

    assertEquals(oneByOne.conversions(), together.conversions(), "conversions");
    assertEquals(oneByOne.commissions(), together.commissions(), "commissions");
    assertEquals(oneByOne.customers(), together.customers(), "customers");
    assertEquals(oneByOne.rollups(), together.rollups(), "rollups");
    assertEquals(oneByOne.counts(), together.counts(), "clicks, impressions, leads, rejected facts");
    assertEquals(oneByOne.clickStates(), together.clickStates(), "clicks marked lead or converted");
    assertEquals(oneByOne.leads(), together.leads(), "leads");
    assertEquals(List.of("lead-1:credited::cust-5", "lead-2:credited::cust-7", "lead-3:rejected:no_attribution:cust-8"),
        together.leads(), "a lead's transaction again in the batch is recorded once");
    assertEquals(List.of("192.0.2.1:converted", "192.0.2.2:converted", "192.0.2.3:not_converted"),
        together.clickStates(), "a click with a lead and a sale in one batch ends converted");
    assertEquals(List.of("bot:rejected:300", "dup:credited:500", "t4:credited:4000", "u1-a:credited:1000", "u1-b:credited:2000",
        "usd:rejected:900"), together.conversions().stream().map(s -> s.split(":", 4))
        .map(p -> p[0] + ":" + p[1] + ":" + p[2]).toList());
    assertFalse(together.commissions().isEmpty(), "the credited sales earn commissions");
    assertEquals(0, together.metrics.clickIdCollisions.count(), "redelivered clicks are not collisions");
  }

  @Test
  void aClickIdTwiceInABatchOrAgainstAStoredClickIsACollision() {
    Program p = new Program();
    Instant at = Instant.now().minus(Duration.ofMinutes(5));
    String id = facts.clickId(p.linkId, at);
    CloudEvent first = p.click(id, at, "198.51.100.1");
    TestEngine.await(p.writer.apply(List.of(first, first, p.click(id, at, "198.51.100.2"))));
    assertEquals(1, p.metrics.clickIdCollisions.count(), "another click under an id of the same batch");
    TestEngine.await(p.writer.apply(List.of(p.click(id, at, "198.51.100.3"), first)));
    assertEquals(2, p.metrics.clickIdCollisions.count(), "another click under a stored id; a redelivery is none");
    assertEquals(1, facts.scalar("SELECT count(*) FROM clicks WHERE click_id = $1", id));
    assertEquals("198.51.100.1", facts.sql("SELECT ip FROM clicks WHERE click_id = $1", id).get(0).getString("ip"));
    assertEquals(1, facts.scalar("SELECT coalesce(sum(clicks), 0)::bigint FROM stats_rollups WHERE program_id = $1",
        p.fixtures.programId), "the rollups count the click once");
  }

  /** A program of its own with a campaign, an affiliate and a link, and a writer applying to it. */
  private static final class Program {
    final Fixtures fixtures = new Fixtures(engine, "EUR");
    final LedgerMetrics metrics = new LedgerMetrics(new SimpleMeterRegistry());
    final LedgerWriter writer = new LedgerWriter(engine.engine().pool(), codec, metrics,
        ids -> Future.succeededFuture(), null, true);
    final JsonObject link;
    final long linkId;

    Program() {
      String campaign = fixtures.campaign(new JsonObject().put("reward_cadence", "first_year")
          .put("lead_reward_cents", 150)).getString("id");
      link = fixtures.link(campaign, fixtures.affiliate(campaign, "sets@partner.example").getString("id"));
      linkId = Long.parseLong(link.getString("id"));
    }

    List<CloudEvent> facts(Instant at) {
      String c1 = facts.clickId(linkId, at);
      String c2 = facts.clickId(linkId, at.plusSeconds(1));
      String bot = facts.clickId(linkId, at.plusSeconds(2));
      long program = fixtures.programId;
      Instant later = at.plusSeconds(60);
      CloudEvent botClick = click(bot, at.plusSeconds(2), "192.0.2.3");
      botClick.data().put("flags", new JsonArray().add("bot"));
      return List.of(click(c1, at, "192.0.2.1"), click(c2, at.plusSeconds(1), "192.0.2.2"), botClick,
          new CloudEvent("imp_" + program + "_1", EventTypes.IMPRESSION_RECORDED, program, at, new JsonObject()
              .put("link_id", linkId).put("campaign_id", Long.parseLong(link.getString("campaign_id")))
              .put("affiliate_id", Long.parseLong(link.getString("affiliate_id")))),
          sale(later, "u1-a", "cust-1", c1, 1000, "EUR"),
          sale(later.plusSeconds(1), "u1-b", "cust-1", null, 2000, "EUR"),
          sale(later, "dup", "cust-2", c2, 500, "EUR"),
          sale(later.plusSeconds(2), "dup", "cust-3", c2, 700, "EUR"),
          sale(later, "t4", null, c2, 4000, "EUR"),
          sale(later, "usd", "cust-4", c1, 900, "USD"),
          sale(later, "bot", "cust-6", bot, 300, "EUR"),
          Facts.postback(program, later, new JsonObject().put("event", "lead").put("transaction_id", "lead-1")
              .put("click_id", c1).put("customer_id", "cust-5")),
          Facts.postback(program, later, new JsonObject().put("event", "lead").put("transaction_id", "lead-2")
              .put("click_id", c2).put("customer_id", "cust-7")),
          Facts.postback(program, later, new JsonObject().put("event", "lead").put("transaction_id", "lead-3")
              .put("customer_id", "cust-8")),
          Facts.postback(program, later.plusSeconds(1), new JsonObject().put("event", "lead")
              .put("transaction_id", "lead-1").put("click_id", c2).put("customer_id", "cust-9")));
    }

    CloudEvent sale(Instant at, String transaction, String customer, String clickId, long amount, String currency) {
      return Facts.postback(fixtures.programId, at, new JsonObject().put("transaction_id", transaction)
          .put("customer_id", customer).put("click_id", clickId).put("amount_minor", amount)
          .put("currency", currency));
    }

    CloudEvent click(String id, Instant at, String ip) {
      JsonObject data = new JsonObject().put("click_id", id).put("link_id", linkId)
          .put("campaign_id", Long.parseLong(link.getString("campaign_id")))
          .put("affiliate_id", Long.parseLong(link.getString("affiliate_id"))).put("creditable", true)
          .put("ip", ip).put("user_agent", "Mozilla/5.0").put("sub1", "s").put("flags", new JsonArray())
          .put("unique", true);
      return new CloudEvent(EventIds.click(id), EventTypes.CLICK_RECORDED, fixtures.programId, at, data);
    }

    List<String> conversions() {
      return rows("""
          SELECT transaction_id || ':' || status || ':' || amount_minor || ':' || coalesce(reject_reason, '') || ':'
                 || coalesce((SELECT customer_key FROM customers WHERE id = customer_id), '') AS r
            FROM conversions WHERE program_id = $1 ORDER BY 1""");
    }

    List<String> commissions() {
      return rows("""
          SELECT coalesce(v.transaction_id, '') || ':' || c.kind || ':' || c.amount_minor || ':' || c.status AS r
            FROM commissions c LEFT JOIN conversions v ON v.id = c.conversion_id
           WHERE c.program_id = $1 ORDER BY 1""");
    }

    List<String> customers() {
      return rows("""
          SELECT c.customer_key || ':' || (c.affiliate_id IS NOT NULL) || ':' || coalesce(cc.commissioned_sales, 0) AS r
            FROM customers c LEFT JOIN customer_campaigns cc ON cc.customer_id = c.id
           WHERE c.program_id = $1 ORDER BY 1""");
    }

    List<String> rollups() {
      return rows("""
          SELECT (to_jsonb(s) - 'program_id' - 'campaign_id' - 'affiliate_id' - 'link_id')::text AS r
            FROM stats_rollups s WHERE program_id = $1 ORDER BY 1""");
    }

    List<String> leads() {
      return rows("""
          SELECT transaction_id || ':' || status || ':' || coalesce(reject_reason, '') || ':'
                 || coalesce((SELECT customer_key FROM customers WHERE id = customer_id), '') AS r
            FROM leads WHERE program_id = $1 ORDER BY 1""");
    }

    List<String> clickStates() {
      return rows("SELECT ip || ':' || conversion_state AS r FROM clicks WHERE program_id = $1 ORDER BY 1");
    }

    List<String> counts() {
      return rows("""
          SELECT (SELECT count(*) FROM clicks WHERE program_id = $1) || ':'
                 || (SELECT count(*) FROM impressions WHERE program_id = $1) || ':'
                 || (SELECT count(*) FROM leads WHERE program_id = $1) || ':'
                 || (SELECT count(*) FROM rejected_events WHERE program_id = $1) AS r""");
    }

    private List<String> rows(String sql) {
      return facts.sql(sql, fixtures.programId).stream().map(r -> r.getString("r")).toList();
    }
  }
}
