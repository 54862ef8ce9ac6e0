package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.LedgerEngine;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pending to due, refunds (void, partial, clawback), payouts with minimum and netting, owner moves, events. */
@Timeout(120)
class PayoutsAndRefundsTest {
  @RegisterExtension
  static final LedgerEngine LEDGER = new LedgerEngine();


  @Test
  void refundsVoidReduceOrClawBackAndTheNextPayoutNetsThem() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = linkCode(f, new JsonObject().put("payout_delay_days", 0), "money@partner.example");
    f.sale(code, "A", "100.00");
    f.sale(code, "B", "200.00");
    f.sale(code, "C", "100.00");
    f.awaitCommissions("due", 3);

    f.postback("event=refund&transaction_id=B&amount=50.00&click_id=" + f.click(code));
    f.postback("event=refund&transaction_id=C&amount=100.00&click_id=" + f.click(code));
    f.awaitCommissions("voided", 1);
    f.awaitCommissions("due", 3);
    JsonObject payout = runPayouts(f).getJsonObject(0);
    // 15% of A + 15% of B - 15% of the 50.00 refunded of B; C voided.
    assertEquals(1500L + 3000L - 750L, payout.getLong("amount_cents"));
    assertEquals(3, payout.getInteger("commission_count"));
    HttpResponse<String> paid = Http.post(
        LEDGER.engine().apiUrl() + "/payouts/" + payout.getString("id") + "/mark_as_paid",
        "application/json", "{}", "X-Api-Key", f.ownerKey);
    assertEquals(200, paid.statusCode(), paid.body());
    assertEquals("paid", Http.json(paid).getString("status"));
    assertEquals(409, Http.post(LEDGER.engine().apiUrl() + "/payouts/" + payout.getString("id") + "/mark_as_paid",
        "application/json", "{}", "X-Api-Key", f.ownerKey).statusCode());
    f.awaitCommissions("paid", 3);

    f.postback("event=refund&transaction_id=A&amount=100.00&click_id=" + f.click(code));
    f.awaitCommissions("due", 1);
    assertTrue(runPayouts(f).isEmpty(), "a clawback alone makes no payout");
    f.sale(code, "D", "200.00");
    f.awaitCommissions("due", 2);
    JsonObject next = runPayouts(f).getJsonObject(0);
    assertEquals(3000L - 1500L, next.getLong("amount_cents"), "the next payout nets the clawback");
    assertEquals(Set.of("sale", "refund", "clawback"), commissions(f, "").stream()
        .map(c -> c.getString("kind")).collect(Collectors.toSet()));

    Set<String> types = LEDGER.facts().changes(Duration.ofSeconds(3)).stream()
        .filter(e -> e.getString("programid").equals(Long.toString(f.programId)))
        .map(e -> e.getString("type")).collect(Collectors.toSet());
    assertTrue(types.containsAll(Set.of("tracklane.commission.created.v1", "tracklane.commission.status_changed.v1",
        "tracklane.refund.recorded.v1", "tracklane.payout.created.v1", "tracklane.payout.paid.v1")), types.toString());
  }

  @Test
  void payoutWaitsUntilTheDueSumReachesTheMinimum() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = linkCode(f, new JsonObject().put("payout_delay_days", 0).put("minimum_payout_cents", 2000),
        "min@partner.example");
    f.sale(code, "M1", "100.00");
    f.awaitCommissions("due", 1);
    assertTrue(runPayouts(f).isEmpty());
    f.sale(code, "M2", "100.00");
    f.awaitCommissions("due", 2);
    assertEquals(3000L, runPayouts(f).getJsonObject(0).getLong("amount_cents"));
  }

  @Test
  void ownerStatusChangesFollowTheAllowedTransitionsElse409() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = linkCode(f, new JsonObject().put("payout_delay_days", 30), "owner@partner.example");
    f.sale(code, "T1", "10.00");
    String id = f.awaitCommissions("pending", 1).get(0).getString("id");

    assertEquals(409, put(f, id, "paid").statusCode());
    assertEquals(200, put(f, id, "due").statusCode());
    assertEquals(200, put(f, id, "due").statusCode(), "asking for the current status changes nothing");
    assertEquals(409, put(f, id, "pending").statusCode());
    assertEquals(200, put(f, id, "voided").statusCode());
    assertEquals(409, put(f, id, "due").statusCode());
    assertEquals(400, put(f, id, "approved").statusCode());
    assertEquals(404, put(f, "999999999", "due").statusCode());
    assertEquals(1, Http.json(f.ownerGet("/commissions?status=voided")).getJsonObject("pagination")
        .getLong("total_count"));
  }

  @Test
  void dueJobCatchesUpAfterDowntimeAndConcurrentRunsMoveEachCommissionOnce() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = linkCode(f, new JsonObject().put("payout_delay_days", 30), "late@partner.example");
    for (int i = 0; i < 5; i++) {
      f.sale(code, "L" + i, "10.00");
    }
    f.awaitCommissions("pending", 5);
    // As if the delay ran out while no ledger was running.
    LEDGER.facts().sql("UPDATE commissions SET due_at = now() - interval '1 day' WHERE program_id = $1", f.programId);
    var pool = LEDGER.engine().engine().pool();
    var runs = List.of(dueJob(pool, "a").run(), dueJob(pool, "b").run(), dueJob(pool, "c").run());
    TestEngine.await(Future.join(runs));
    f.awaitCommissions("due", 5);
    assertEquals(5, LEDGER.facts().scalar("SELECT sum(version) FROM commissions WHERE program_id = $1", f.programId),
        "each commission moved exactly once");
  }

  private static DueJob dueJob(Pool pool, String ranBy) {
    return new DueJob(pool, Clock.systemUTC(), 60_000, ranBy, new SimpleMeterRegistry(), programs -> { });
  }

  /** A campaign with {@code fields}, one affiliate enrolled in it and its link's code. */
  static String linkCode(Fixtures f, JsonObject fields, String email) {
    String campaign = f.campaign(fields).getString("id");
    return f.link(campaign, f.affiliate(campaign, email).getString("id")).getString("code");
  }

  private static HttpResponse<String> put(Fixtures f, String id, String status) {
    return Http.put(LEDGER.engine().apiUrl() + "/commissions/" + id, "application/json",
        new JsonObject().put("status", status).encode(), "X-Api-Key", f.ownerKey);
  }

  private static JsonArray runPayouts(Fixtures f) {
    HttpResponse<String> r = Http.post(LEDGER.engine().apiUrl() + "/payouts/run", "application/json", "{}",
        "X-Api-Key", f.ownerKey);
    assertEquals(200, r.statusCode(), r.body());
    JsonArray out = new JsonArray();
    for (Object id : Http.json(r).getJsonArray("payout_ids")) {
      out.add(Http.json(f.ownerGet("/payouts/" + id)));
    }
    return out;
  }

  private static List<JsonObject> commissions(Fixtures f, String query) {
    return Http.json(f.ownerGet("/commissions?limit=100" + query)).getJsonArray("data").stream()
        .map(JsonObject.class::cast).toList();
  }
}
