package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.firehose.CloudEvent;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random sequences of leads, sales (in the campaigns' currency or in USD at a stored rate), several
 * refunds per sale (by id, by amount, of the rest, some before their sale), duplicates and
 * redeliveries, with clicks, coupons and customer bindings across two campaigns of different cadences,
 * in EUR, JPY or BHD, run through the real ledger (Kafka, PostgreSQL), give the commission and payout
 * totals of the reference model written from the rules of docs/ledger.md ({@link LedgerModel}); and
 * verify-ledger finds no difference in what the ledger wrote.
 */
class LedgerPropertyTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestEngine engine;
  private static Facts facts;

  /** One generated step: what kind, whose, how much, how it is attributed, and under which campaign. */
  record Op(String kind, int customer, int affiliate, String via, long amount, int target, int repeat, int campaign,
      boolean usd) {
  }

  @BeforeContainer
  static void start() {
    engine = TestEngine.start(LedgerPropertyTest.class, Map.of("ledger.due_job_ms", "200", "ledger.payout_job_ms",
        "0", "ledger.batch_max", "7"));
    facts = new Facts(engine);
  }

  @AfterContainer
  static void stop() {
    facts.close();
    engine.close();
  }

  @Provide
  Arbitrary<List<Op>> sequences() {
    Arbitrary<Op> op = Combinators.combine(
        Arbitraries.of("sale", "sale", "sale", "lead", "refund", "refund", "refund_first", "duplicate"),
        Arbitraries.integers().between(-1, 3), Arbitraries.integers().between(0, 1),
        Arbitraries.of("click", "coupon", "forged", "none"), Arbitraries.longs().between(1, 50_000),
        Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 9),
        // Which campaign, and whether the sale is in USD (one in three).
        Arbitraries.integers().between(0, 5))
        .as((kind, customer, affiliate, via, amount, target, repeat, place) -> new Op(kind, customer, affiliate, via,
            amount, target, repeat, place % 2, place >= 4));
    return op.list().ofMinSize(5).ofMaxSize(30);
  }

  @Provide
  Arbitrary<String> cadences() {
    return Arbitraries.of("one_time", "every_payment", "custom");
  }

  @Provide
  Arbitrary<String> currencies() {
    return Arbitraries.of("EUR", "JPY", "BHD");
  }

  @Property(tries = 15)
  void ledgerTotalsMatchTheReferenceModel(@ForAll("sequences") List<Op> ops, @ForAll("cadences") String cadenceA,
      @ForAll("cadences") String cadenceB, @ForAll("currencies") String currency, @ForAll boolean leadReward) {
    Fixtures f = new Fixtures(engine, "EUR");
    String[] cadences = {cadenceA, cadenceB};
    String[] campaigns = new String[2];
    String[] affiliates = new String[2];
    long[][] links = new long[2][2];
    for (int c = 0; c < 2; c++) {
      JsonObject fields = new JsonObject().put("payout_delay_days", 0).put("commission_percent", 12.5)
          .put("currency", currency).put("reward_cadence", cadences[c]).put("lead_reward_cents", leadReward ? 300 : 0);
      if ("custom".equals(cadences[c])) {
        fields.put("max_commissions", 2);
      }
      campaigns[c] = f.campaign(fields).getString("id");
    }
    for (int a = 0; a < 2; a++) {
      affiliates[a] = f.affiliate(campaigns[0], "p" + a + "@partner.example").getString("id");
      f.create("/affiliates", new JsonObject().put("campaign_id", campaigns[1]).put("email", "p" + a
          + "@partner.example").put("first_name", "Jane").put("last_name", "Doe"), 201);
      for (int c = 0; c < 2; c++) {
        links[c][a] = Long.parseLong(f.link(campaigns[c], affiliates[a]).getString("id"));
        f.create("/coupons", new JsonObject().put("campaign_id", campaigns[c]).put("affiliate_id", affiliates[a])
            .put("code", "CODE" + c + a), 201);
      }
    }
    assertEquals(200, Http.put(engine.apiUrl() + "/fx_rates/USD/" + currency, "application/json",
        new JsonObject().put("rate", LedgerModel.USD_RATES.get(currency).toPlainString()).encode(),
        "X-Api-Key", f.ownerKey).statusCode());

    LedgerModel model = new LedgerModel(cadences, leadReward ? 300 : 0, currency);
    List<CloudEvent> sent = new ArrayList<>();
    Instant now = Instant.now();
    for (int i = 0; i < ops.size(); i++) {
      for (CloudEvent event : toEvents(f.programId, ops.get(i), i, sent, model, links, now)) {
        facts.send(0, event);
      }
      if (ops.get(i).repeat() == 0) {
        // A redelivery of the whole tail, as after a crash before the offset commit.
        sent.subList(Math.max(0, sent.size() - 3), sent.size()).forEach(e -> {
          facts.send(0, e);
          resent(e, model);
        });
      }
    }
    facts.awaitScalar(model.processed, WAIT, """
        SELECT (SELECT count(*) FROM conversions WHERE program_id = $1)
             + (SELECT count(*) FROM leads WHERE program_id = $1)""",
        f.programId);
    facts.awaitScalar(0, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1 AND status = 'pending'",
        f.programId);
    Map<String, Long> expected = new TreeMap<>();
    model.totals.forEach((a, total) -> expected.put(affiliates[a], total));
    expected.values().removeIf(v -> v == 0);
    // A rejected fact sent again is rewritten in place (no new row to count): wait for the totals too.
    long deadline = System.nanoTime() + WAIT.toNanos();
    Map<String, Long> ledger = totals(f.programId);
    while (!expected.equals(ledger) && System.nanoTime() < deadline) {
      Http.sleep(200);
      ledger = totals(f.programId);
    }
    assertEquals(expected, ledger, "commission totals per affiliate for " + ops);

    Http.post(engine.apiUrl() + "/payouts/run", "application/json", "{}", "X-Api-Key", f.ownerKey);
    Map<String, Long> payouts = new TreeMap<>();
    for (var row : facts.sql("SELECT affiliate_id, amount_minor FROM payouts WHERE program_id = $1", f.programId)) {
      payouts.put(row.getLong("affiliate_id").toString(), row.getLong("amount_minor"));
    }
    expected.values().removeIf(v -> v < 0);
    assertEquals(expected, payouts, "payout totals per affiliate for " + ops);
    assertEquals(List.of(), TestEngine.await(new LedgerVerifier(engine.engine().pool()).verify(f.programId)),
        "verify-ledger for " + ops);
  }

  private static Map<String, Long> totals(long programId) {
    Map<String, Long> ledger = new TreeMap<>();
    for (var row : facts.sql("""
        SELECT affiliate_id, sum(amount_minor) AS total FROM commissions
         WHERE program_id = $1 AND status <> 'voided' GROUP BY affiliate_id""", programId)) {
      ledger.put(row.getLong("affiliate_id").toString(), row.getLong("total"));
    }
    ledger.values().removeIf(v -> v == 0);
    return ledger;
  }

  private List<CloudEvent> toEvents(long programId, Op op, int i, List<CloudEvent> sent, LedgerModel model,
      long[][] links, Instant now) {
    List<CloudEvent> out = new ArrayList<>();
    switch (op.kind()) {
      case "duplicate" -> {
        if (!sent.isEmpty()) {
          CloudEvent again = sent.get(op.target() % sent.size());
          resent(again, model);
          out.add(again);
        }
      }
      case "refund" -> {
        if (!model.saleOrder.isEmpty()) {
          String tx = model.saleOrder.get(op.target() % model.saleOrder.size());
          out.add(refund(programId, op, i, tx, model, now));
        }
      }
      case "refund_first" -> {
        // A refund that arrives before its sale: it waits for the sale.
        String tx = "pair-" + i;
        Op sale = new Op("sale", op.customer(), op.affiliate(), op.via(), op.amount() * 2, 0, 1, op.campaign(),
            op.usd());
        JsonObject refund = new JsonObject().put("event", "refund").put("transaction_id", tx)
            .put("amount_minor", op.amount()).put("currency", model.saleCurrency(op.usd()))
            .put("refund_id", "early-" + i).put("customer_id", "x");
        out.add(Facts.postback(programId, now, refund));
        out.add(sale(programId, sale, tx, model, links, now));
        model.refund(tx, "id:early-" + i, op.amount());
      }
      default -> out.add(sale(programId, op, op.kind() + "-" + i, model, links, now));
    }
    sent.addAll(out);
    return out;
  }

  /** A fact sent again: the model reprocesses it if it was rejected (refunds wait on their own). */
  private static void resent(CloudEvent event, LedgerModel model) {
    if (!"refund".equals(event.data().getString("event"))) {
      model.resend(event.data().getString("transaction_id"));
    }
  }

  private CloudEvent sale(long programId, Op op, String tx, LedgerModel model, long[][] links, Instant now) {
    JsonObject d = new JsonObject().put("event", op.kind()).put("transaction_id", tx)
        .put("amount_minor", op.amount()).put("currency", model.saleCurrency(op.usd()));
    if (op.customer() >= 0) {
      d.put("customer_id", "cust-" + op.customer());
    }
    switch (op.via()) {
      case "click" -> d.put("click_id", facts.clickId(links[op.campaign()][op.affiliate()], now));
      case "coupon" -> d.put("coupon", "CODE" + op.campaign() + op.affiliate());
      case "forged" -> d.put("click_id", "forged" + tx);
      default -> { }
    }
    model.apply(op, tx);
    return Facts.postback(programId, now, d);
  }

  /** A refund by id, by amount, or of the rest, of a sale that was sent. */
  private CloudEvent refund(long programId, Op op, int i, String tx, LedgerModel model, Instant now) {
    LedgerModel.Sale sale = model.sales.get(tx);
    JsonObject d = new JsonObject().put("event", "refund").put("transaction_id", tx).put("customer_id", "x")
        .put("currency", sale.currency());
    String identity;
    Long amount;
    switch (op.target() % 3) {
      case 0 -> {
        amount = Math.min(op.amount(), sale.amount());
        d.put("refund_id", "r-" + i).put("amount_minor", amount);
        identity = "id:r-" + i;
      }
      case 1 -> {
        amount = Math.min(op.amount(), sale.amount());
        d.put("amount_minor", amount);
        identity = "amount:" + amount;
      }
      default -> {
        amount = null;
        identity = "rest";
      }
    }
    model.refund(tx, identity, amount);
    return Facts.postback(programId, now, d);
  }
}
