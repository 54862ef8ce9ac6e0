package io.tracklane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The click dimensions a ledger writer remembers (ClickDims): a sale through a click the same
 * writer wrote in an earlier batch, and one through a click written before this writer existed
 * (looked up), both count under their click's source, sub1 and device, in the rollups and in the
 * commission cells; a refund in the batch of its sale finds the sale's commission cell. Only a
 * committed batch's clicks are remembered. The ledger's writer is driven directly, on real
 * PostgreSQL (the engine runs no ledger consumer of its own).
 */
class ClickDimsTest {
  private static final String IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148";
  private static final String IPAD = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1";
  private static final String DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36";
  private static TestEngine engine;
  private static Facts facts;
  private static Fixtures f;
  private static long campaign;
  private static long affiliate;
  private static long link;
  private static ClickIdCodec codec;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(ClickDimsTest.class, Map.of("roles", "api"));
    facts = new Facts(engine);
    f = new Fixtures(engine, "EUR", "Europe/Berlin");
    String c = f.campaign(new JsonObject().put("currency", "EUR").put("reward_cadence", "every_payment"))
        .getString("id");
    String a = f.affiliate(c, "dims@partner.example").getString("id");
    campaign = Long.parseLong(c);
    affiliate = Long.parseLong(a);
    link = Long.parseLong(f.link(c, a).getString("id"));
    codec = engine.clickIdCodec();
  }

  @AfterAll
  static void stop() {
    facts.close();
    engine.close();
  }

  @Test
  void salesCountUnderTheirClicksWhetherTheWriterRemembersThemOrNot() {
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);
    String before = facts.clickId(link, at);
    String earlier = facts.clickId(link, at.plusSeconds(1));
    String same = facts.clickId(link, at.plusSeconds(2));
    // A click written before this writer existed: the new writer has to look it up.
    TestEngine.await(writer().apply(List.of(click(before, at, "early", "p", IPHONE))));
    LedgerWriter writer = writer();
    TestEngine.await(writer.apply(List.of(click(earlier, at.plusSeconds(1), "mine", "q", IPAD))));
    // Clicks never change; both are altered here behind the writer's back only to show which sale
    // was looked up (it sees the change) and which one the writer remembered (it does not).
    facts.sql("UPDATE clicks SET sub1 = sub1 || '2' WHERE program_id = $1 AND click_id IN ($2, $3)", f.programId,
        before, earlier);
    // Sales through both, and a click and sale in one batch with the sale's refund (voids its commission).
    TestEngine.await(writer.apply(List.of(sale("t-earlier", earlier, at.plusSeconds(30), 1_000),
        sale("t-before", before, at.plusSeconds(31), 2_000), click(same, at.plusSeconds(2), "same", "r", DESKTOP),
        sale("t-same", same, at.plusSeconds(32), 4_000), refund("t-same", at.plusSeconds(40)))));

    assertEquals(Map.of("mine/q/tablet", 1_000L, "early/p2/mobile", 2_000L, "same/r/desktop", 0L),
        column("revenue_minor"));
    assertEquals(Map.of("mine/q/tablet", 1L, "early/p2/mobile", 1L, "same/r/desktop", 1L), column("conversions"));
    assertEquals(Map.of("mine/q/tablet", 1L, "early/p2/mobile", 1L, "same/r/desktop", 1L), cells());
    // The refunded sale's commission moved from pending to voided within its own cell.
    long voided = facts.scalar("SELECT amount_minor FROM commissions WHERE program_id = $1 AND status = 'voided' "
        + "AND reverses_id IS NULL", f.programId);
    assertEquals(Map.of("mine/q/tablet", 0L, "early/p2/mobile", 0L, "same/r/desktop", voided),
        column("commission_voided_minor"));
    assertEquals(0L, column("commission_pending_minor").get("same/r/desktop"));
  }

  /** The triggers (one shared upsert since V25_1): a status change and a reversal entry stay in the cell. */
  @Test
  void laterStatusChangesAndReversalsCountInTheCommissionsCell() {
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(300);
    String click = facts.clickId(link, at);
    TestEngine.await(writer().apply(List.of(click(click, at, "moved", "m", DESKTOP),
        sale("t-moved", click, at.plusSeconds(5), 8_000))));
    long amount = facts.scalar("SELECT m.amount_minor FROM commissions m JOIN conversions v ON v.id = m.conversion_id "
        + "WHERE m.program_id = $1 AND v.transaction_id = 't-moved'", f.programId);
    assertEquals(Map.of("pending", amount, "due", 0L), statuses());
    facts.sql("UPDATE commissions m SET status = 'due' FROM conversions v WHERE v.id = m.conversion_id "
        + "AND m.program_id = $1 AND v.transaction_id = 't-moved'", f.programId);
    assertEquals(Map.of("pending", 0L, "due", amount), statuses());
    // Half the sale refunded once its commission is due: the ledger writes a reversal entry for the part.
    CloudEvent half = refund("t-moved", at.plusSeconds(10));
    half.data().put("amount_minor", 4_000L);
    TestEngine.await(writer().apply(List.of(half)));
    long reversed = -facts.scalar("SELECT amount_minor FROM commissions WHERE program_id = $1 "
        + "AND reverses_id IS NOT NULL", f.programId);
    assertTrue(reversed > 0 && reversed < amount, "the refund's reversal entry: " + reversed);
    assertEquals(Map.of("pending", 0L, "due", amount - reversed), statuses());
    assertEquals(2, facts.scalar("SELECT count(*) FROM stats_commission_cells WHERE program_id = $1 "
        + "AND source = 'moved' AND sub1 = 'm' AND device = 'desktop'", f.programId));
  }

  @Test
  void onlyACommittedBatchsClicksAreRemembered() {
    ClickDims dims = new ClickDims(2);
    Instant at = Instant.now();
    RollupBatch rolledBack = new RollupBatch(dims);
    rolledBack.click("gone", f.programId, at, campaign, affiliate, link, "s", null, null, null, null, null, DESKTOP,
        List.of());
    assertThrows(RuntimeException.class, () -> TestEngine.await(engine.engine().pool().withTransaction(tx ->
        rolledBack.write(tx).compose(v -> Future.failedFuture(new IllegalStateException("roll back"))))));
    assertEquals(0, dims.size());
    for (int i = 0; i < 3; i++) {
      RollupBatch committed = new RollupBatch(dims);
      committed.click("kept" + i, f.programId, at, campaign, affiliate, link, "s", null, null, null, null, null,
          DESKTOP, List.of());
      TestEngine.await(engine.engine().pool().withTransaction(committed::write));
    }
    // Bounded: the least recently used is forgotten.
    assertEquals(2, dims.size());
    assertNull(dims.get(new ClickDims.Id(f.programId, "kept0")));
    assertEquals("s", dims.get(new ClickDims.Id(f.programId, "kept2")).dims().source());
  }

  private static LedgerWriter writer() {
    return new LedgerWriter(engine.engine().pool(), codec, new LedgerMetrics(new SimpleMeterRegistry()),
        ids -> Future.succeededFuture(), null, true);
  }

  private static CloudEvent click(String clickId, Instant at, String source, String sub1, String agent) {
    return new CloudEvent(EventIds.click(clickId), EventTypes.CLICK_RECORDED, f.programId, at, new JsonObject()
        .put("click_id", clickId).put("link_id", link).put("campaign_id", campaign).put("affiliate_id", affiliate)
        .put("creditable", true).put("source", source).put("sub1", sub1).put("user_agent", agent)
        .put("flags", new JsonArray()));
  }

  private static CloudEvent sale(String transactionId, String clickId, Instant at, long amount) {
    return Facts.postback(f.programId, at, new JsonObject().put("transaction_id", transactionId)
        .put("click_id", clickId).put("amount_minor", amount).put("currency", "EUR"));
  }

  private static CloudEvent refund(String transactionId, Instant at) {
    return Facts.postback(f.programId, at, new JsonObject().put("event", "refund")
        .put("transaction_id", transactionId).put("currency", "EUR").put("refund_id", "r-" + transactionId));
  }

  /** A measure of the amount rows (currency set), summed by source/sub1/device. */
  private static Map<String, Long> column(String measure) {
    return byCell("SELECT source || '/' || sub1 || '/' || device, sum(" + measure + ")::bigint FROM stats_rollups "
        + "WHERE program_id = $1 AND currency <> '' GROUP BY 1");
  }

  /** How many commission cells (the sales' commissions, not reversal entries) each cell holds. */
  private static Map<String, Long> cells() {
    return byCell("SELECT source || '/' || sub1 || '/' || device, count(*) FROM stats_commission_cells s "
        + "JOIN commissions m ON m.id = s.commission_id AND m.reverses_id IS NULL WHERE s.program_id = $1 GROUP BY 1");
  }

  /** The pending and due commission amounts of the cell moved/m/desktop. */
  private static Map<String, Long> statuses() {
    Row r = facts.sql("SELECT sum(commission_pending_minor)::bigint, sum(commission_due_minor)::bigint "
        + "FROM stats_rollups WHERE program_id = $1 AND source = 'moved' AND sub1 = 'm' AND device = 'desktop' "
        + "AND currency <> ''", f.programId).get(0);
    return Map.of("pending", r.getLong(0), "due", r.getLong(1));
  }

  private static Map<String, Long> byCell(String sql) {
    Map<String, Long> out = new TreeMap<>();
    for (Row r : facts.sql(sql, f.programId)) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }
}
