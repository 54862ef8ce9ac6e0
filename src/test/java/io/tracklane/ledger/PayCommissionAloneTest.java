package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.AuditRefusal;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.LedgerEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PUT /commissions/{id} {"status":"paid"}: a due commission in no payout is paid as a payout of one,
 * with the events of a paid payout and one audit entry; payouts paid or run through the API are audited.
 */
@Timeout(120)
class PayCommissionAloneTest {
  @RegisterExtension
  static final LedgerEngine LEDGER = new LedgerEngine();


  @Test
  void aDueCommissionMarkedPaidIsPaidAloneAsAPayoutOfOne() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("payout_delay_days", 0)
        .put("minimum_payout_cents", 100_000), "alone@partner.example");
    f.sale(code, "P1", "100.00");
    f.sale(code, "P2", "40.00");
    List<JsonObject> due = f.awaitCommissions("due", 2);
    JsonObject commission = due.stream().filter(c -> c.getLong("amount_cents") == 1500L).findFirst().orElseThrow();

    HttpResponse<String> r = put(f, commission.getString("id"), "paid");
    assertEquals(200, r.statusCode(), r.body());
    JsonObject paid = Http.json(r);
    assertEquals("paid", paid.getString("status"));
    String payoutId = paid.getString("payout_id");
    JsonObject payout = Http.json(f.ownerGet("/payouts/" + payoutId));
    assertEquals("paid", payout.getString("status"));
    assertEquals(1, payout.getInteger("commission_count"));
    assertEquals(1500L, payout.getLong("amount_cents"));
    assertEquals(commission.getString("affiliate_id"), payout.getString("affiliate_id"));
    assertEquals(1, f.awaitCommissions("due", 1).size(), "the other due commission is untouched");
    assertEquals(200, put(f, commission.getString("id"), "paid").statusCode(), "paid again changes nothing");
    assertEquals(1, Http.json(f.ownerGet("/payouts")).getJsonObject("pagination").getLong("total_count"));

    List<JsonObject> events = LEDGER.facts().changes(Duration.ofSeconds(3)).stream()
        .filter(e -> e.getString("programid").equals(Long.toString(f.programId))).toList();
    assertEquals(1, count(events, "tracklane.payout.created.v1", payoutId));
    assertEquals(1, count(events, "tracklane.payout.paid.v1", payoutId));
    JsonObject change = events.stream().filter(e -> e.getString("type").equals("tracklane.commission.status_changed.v1")
        && e.getJsonObject("data").getString("to").equals("paid")).findFirst().orElseThrow();
    assertEquals(commission.getString("id"), change.getJsonObject("data").getString("commission_id"));
    assertEquals("due", change.getJsonObject("data").getString("from"));
    assertEquals(payoutId, change.getJsonObject("data").getString("payout_id"));

    JsonArray audit = Http.json(f.ownerGet("/audit_log?entity=commission&entity_id=" + commission.getString("id")))
        .getJsonArray("data");
    assertEquals(1, audit.size(), audit.encode());
    assertEquals(new JsonObject().put("status", "due").putNull("payout_id"), audit.getJsonObject(0)
        .getJsonObject("before"));
    assertEquals(new JsonObject().put("status", "paid").put("payout_id", payoutId), audit.getJsonObject(0)
        .getJsonObject("after"));
  }

  @Test
  void aCommissionInAPayoutIsPaidThroughItsPayoutAndAPendingOneNotAtAll() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("payout_delay_days", 0),
        "gathered@partner.example");
    f.sale(code, "G1", "10.00");
    String id = f.awaitCommissions("due", 1).get(0).getString("id");
    HttpResponse<String> run = Http.post(LEDGER.engine().apiUrl() + "/payouts/run", "application/json", "{}",
        "X-Api-Key", f.ownerKey);
    String payoutId = Http.json(run).getJsonArray("payout_ids").getString(0);

    HttpResponse<String> refused = put(f, id, "paid");
    assertEquals(409, refused.statusCode(), refused.body());
    assertTrue(Http.json(refused).getString("error").contains("mark the payout paid"), refused.body());
    assertEquals("due", Http.json(f.ownerGet("/commissions/" + id)).getString("status"));

    try (AuditRefusal refusal = AuditRefusal.of(LEDGER.engine(), f.programId)) {
      HttpResponse<String> unaudited = Http.post(LEDGER.engine().apiUrl() + "/payouts/" + payoutId + "/mark_as_paid",
          "application/json", "{}", "X-Api-Key", f.ownerKey);
      assertEquals(500, unaudited.statusCode(), "its audit entry could not be written");
    }
    assertEquals("pending", Http.json(f.ownerGet("/payouts/" + payoutId)).getString("status"), "so nothing was paid");
    assertEquals("due", Http.json(f.ownerGet("/commissions/" + id)).getString("status"));
    HttpResponse<String> markPaid = Http.post(LEDGER.engine().apiUrl() + "/payouts/" + payoutId + "/mark_as_paid",
        "application/json", "{}", "X-Api-Key", f.ownerKey);
    assertEquals(200, markPaid.statusCode(), markPaid.body());
    JsonArray payoutEntries = Http.json(f.ownerGet("/audit_log?entity=payout&entity_id=" + payoutId))
        .getJsonArray("data");
    assertEquals(List.of("payout.paid", "payout.created"), payoutEntries.stream()
        .map(e -> ((JsonObject) e).getString("action")).toList());
    assertEquals("pending", payoutEntries.getJsonObject(0).getJsonObject("before").getString("status"));
    assertEquals("paid", payoutEntries.getJsonObject(0).getJsonObject("after").getString("status"));
    assertEquals(409, Http.post(LEDGER.engine().apiUrl() + "/payouts/" + payoutId + "/mark_as_paid", "application/json",
        "{}", "X-Api-Key", f.ownerKey).statusCode());
    assertEquals(2, Http.json(f.ownerGet("/audit_log?entity=payout")).getJsonArray("data").size(),
        "a refused mark_as_paid leaves no entry");

    Fixtures later = new Fixtures(LEDGER.engine(), "EUR");
    String laterCode = PayoutsAndRefundsTest.linkCode(later, new JsonObject().put("payout_delay_days", 30),
        "pending@partner.example");
    later.sale(laterCode, "L1", "10.00");
    String pending = later.awaitCommissions("pending", 1).get(0).getString("id");
    assertEquals(409, put(later, pending, "paid").statusCode());
    assertEquals(0, Http.json(later.ownerGet("/payouts")).getJsonObject("pagination").getLong("total_count"));
    assertEquals(0, Http.json(later.ownerGet("/audit_log?entity=commission")).getJsonArray("data").size());
  }

  @Test
  void aNegativeEntryIsNettedByTheNextPayoutNotPaidAlone() {
    Fixtures f = new Fixtures(LEDGER.engine(), "EUR");
    String code = PayoutsAndRefundsTest.linkCode(f, new JsonObject().put("payout_delay_days", 0),
        "refunded@partner.example");
    f.sale(code, "R1", "100.00");
    f.awaitCommissions("due", 1);
    assertEquals(200, f.postback("event=refund&transaction_id=R1&amount=50.00&click_id=" + f.click(code))
        .statusCode());
    JsonObject refund = f.awaitCommissions("due", 2).stream().filter(c -> c.getLong("amount_cents") < 0)
        .findFirst().orElseThrow();

    HttpResponse<String> refused = put(f, refund.getString("id"), "paid");
    assertEquals(409, refused.statusCode(), refused.body());
    assertTrue(Http.json(refused).getString("error").contains("the next payout nets it"), refused.body());
    assertEquals(0, Http.json(f.ownerGet("/payouts")).getJsonObject("pagination").getLong("total_count"));
    assertEquals(0, Http.json(f.ownerGet("/audit_log?entity=commission")).getJsonArray("data").size());
  }

  private static long count(List<JsonObject> events, String type, String payoutId) {
    return events.stream().filter(e -> e.getString("type").equals(type)
        && payoutId.equals(e.getJsonObject("data").getString("payout_id"))).count();
  }

  private static HttpResponse<String> put(Fixtures f, String id, String status) {
    return Http.put(LEDGER.engine().apiUrl() + "/commissions/" + id, "application/json",
        new JsonObject().put("status", status).encode(), "X-Api-Key", f.ownerKey);
  }

}
