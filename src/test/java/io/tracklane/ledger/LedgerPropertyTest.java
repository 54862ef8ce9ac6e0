package io.tracklane.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.firehose.CloudEvent;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Random sequences of leads, sales, refunds, duplicates and redeliveries, with clicks, coupons and
 * customer bindings, run through the real ledger (Kafka, PostgreSQL) give the commission and
 * payout totals of a small reference model written here from the rules of DESIGN.md.
 */
class LedgerPropertyTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestEngine engine;
  private static Facts facts;

  /** One generated step: what kind, whose, how much, and how it is attributed. */
  record Op(String kind, int customer, int affiliate, String via, long amount, int target, int repeat) {
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
        Arbitraries.of("sale", "sale", "sale", "lead", "refund", "duplicate"),
        Arbitraries.integers().between(-1, 3), Arbitraries.integers().between(0, 1),
        Arbitraries.of("click", "coupon", "forged", "none"), Arbitraries.longs().between(1, 50_000),
        Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 9))
        .as(Op::new);
    return op.list().ofMinSize(5).ofMaxSize(30);
  }

  @Property(tries = 20)
  void ledgerTotalsMatchTheReferenceModel(@ForAll("sequences") List<Op> ops,
      @ForAll("cadences") String cadence, @ForAll boolean leadReward) {
    Fixtures f = new Fixtures(engine, "EUR");
    JsonObject fields = new JsonObject().put("payout_delay_days", 0).put("commission_percent", 12.5)
        .put("reward_cadence", cadence).put("lead_reward_cents", leadReward ? 300 : 0);
    if ("custom".equals(cadence)) {
      fields.put("max_commissions", 2);
    }
    String campaign = f.campaign(fields).getString("id");
    long[] links = new long[2];
    String[] affiliates = new String[2];
    for (int a = 0; a < 2; a++) {
      affiliates[a] = f.affiliate(campaign, "p" + a + "@partner.example").getString("id");
      links[a] = Long.parseLong(f.link(campaign, affiliates[a]).getString("id"));
      f.create("/coupons", new JsonObject().put("campaign_id", campaign).put("affiliate_id", affiliates[a])
          .put("code", "CODE" + a), 201);
    }

    Model model = new Model(cadence, leadReward ? 300 : 0);
    List<CloudEvent> sent = new ArrayList<>();
    Instant now = Instant.now();
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      CloudEvent event = toEvent(f.programId, op, i, sent, model, links, now);
      if (event == null) {
        continue;
      }
      facts.send(0, event);
      if (op.repeat() == 0) {
        // A redelivery of the whole tail, as after a crash before the offset commit.
        sent.subList(Math.max(0, sent.size() - 3), sent.size()).forEach(e -> facts.send(0, e));
      }
    }
    facts.awaitScalar(model.processed, WAIT, """
        SELECT (SELECT count(*) FROM conversions WHERE program_id = $1)
             + (SELECT count(*) FROM leads WHERE program_id = $1)""",
        f.programId);
    facts.awaitScalar(0, WAIT, "SELECT count(*) FROM commissions WHERE program_id = $1 AND status = 'pending'",
        f.programId);
    Map<String, Long> ledger = new TreeMap<>();
    for (var row : facts.sql("""
        SELECT affiliate_id, sum(amount_minor) AS total FROM commissions
         WHERE program_id = $1 AND status <> 'voided' GROUP BY affiliate_id""", f.programId)) {
      ledger.put(row.getLong("affiliate_id").toString(), row.getLong("total"));
    }
    Map<String, Long> expected = new TreeMap<>();
    model.totals.forEach((a, total) -> expected.put(affiliates[a], total));
    ledger.values().removeIf(v -> v == 0);
    expected.values().removeIf(v -> v == 0);
    assertEquals(expected, ledger, "commission totals per affiliate for " + ops);

    Http.post(engine.apiUrl() + "/payouts/run", "application/json", "{}", "X-Api-Key", f.ownerKey);
    Map<String, Long> payouts = new TreeMap<>();
    for (var row : facts.sql("SELECT affiliate_id, amount_minor FROM payouts WHERE program_id = $1", f.programId)) {
      payouts.put(row.getLong("affiliate_id").toString(), row.getLong("amount_minor"));
    }
    expected.values().removeIf(v -> v < 0);
    assertEquals(expected, payouts, "payout totals per affiliate for " + ops);
  }

  @Provide
  Arbitrary<String> cadences() {
    return Arbitraries.of("one_time", "every_payment", "custom");
  }

  private CloudEvent toEvent(long programId, Op op, int i, List<CloudEvent> sent, Model model, long[] links,
      Instant now) {
    if ("duplicate".equals(op.kind())) {
      if (sent.isEmpty()) {
        return null;
      }
      return sent.get(op.target() % sent.size());
    }
    JsonObject d = new JsonObject().put("event", op.kind()).put("currency", "EUR");
    if ("refund".equals(op.kind())) {
      if (model.sales.isEmpty()) {
        return null;
      }
      String tx = model.saleOrder.get(op.target() % model.saleOrder.size());
      long refund = Math.min(op.amount(), model.sales.get(tx).amount);
      d.put("transaction_id", tx).put("amount_minor", refund).put("customer_id", "x");
      model.refund(tx, refund);
    } else {
      String tx = op.kind() + "-" + i;
      d.put("transaction_id", tx).put("amount_minor", op.amount());
      if (op.customer() >= 0) {
        d.put("customer_id", "cust-" + op.customer());
      }
      switch (op.via()) {
        case "click" -> d.put("click_id", facts.clickId(links[op.affiliate()], now));
        case "coupon" -> d.put("coupon", "CODE" + op.affiliate());
        case "forged" -> d.put("click_id", "forged" + i);
        default -> { }
      }
      model.apply(op, tx);
    }
    CloudEvent event = Facts.postback(programId, now, d);
    sent.add(event);
    return event;
  }

  /** The rules, written plainly: attribution order, binding, cadence count, refunds, half-even. */
  static final class Model {
    record Sale(long amount, Integer affiliate, long commission) {
    }

    final String cadence;
    final long leadReward;
    final Map<String, Sale> sales = new HashMap<>();
    final List<String> saleOrder = new ArrayList<>();
    final Map<Integer, Integer> binding = new HashMap<>();
    final Map<Integer, Integer> commissioned = new HashMap<>();
    final Map<Integer, Long> totals = new HashMap<>();
    final Map<String, Long> refunded = new HashMap<>();
    final java.util.Set<String> refundKeys = new java.util.HashSet<>();
    int processed;

    Model(String cadence, long leadReward) {
      this.cadence = cadence;
      this.leadReward = leadReward;
    }

    void apply(Op op, String tx) {
      processed++;
      Integer affiliate = switch (op.via()) {
        case "click", "coupon" -> op.affiliate();
        default -> op.customer() >= 0 ? binding.get(op.customer()) : null;
      };
      if (affiliate == null) {
        if ("sale".equals(op.kind())) {
          sales.put(tx, new Sale(op.amount(), null, 0));
          saleOrder.add(tx);
        }
        return;
      }
      if (op.customer() >= 0) {
        binding.putIfAbsent(op.customer(), affiliate);
      }
      if ("lead".equals(op.kind())) {
        totals.merge(affiliate, leadReward, Long::sum);
        return;
      }
      int count = op.customer() >= 0 ? commissioned.getOrDefault(op.customer(), 0) : 0;
      boolean earns = switch (cadence) {
        case "one_time" -> count == 0;
        case "custom" -> count < 2;
        default -> true;
      };
      long commission = earns ? new BigDecimal(op.amount()).multiply(new BigDecimal("0.125"))
          .setScale(0, RoundingMode.HALF_EVEN).longValueExact() : 0;
      if (earns) {
        totals.merge(affiliate, commission, Long::sum);
        if (op.customer() >= 0) {
          commissioned.merge(op.customer(), 1, Integer::sum);
        }
      }
      sales.put(tx, new Sale(op.amount(), affiliate, earns ? commission : -1));
      saleOrder.add(tx);
    }

    /** Several refunds per sale, each once (by its amount here), never beyond the sale; reversals round once. */
    void refund(String tx, long amount) {
      if (!refundKeys.add(tx + "|" + amount)) {
        return;
      }
      processed++;
      Sale sale = sales.get(tx);
      long before = refunded.getOrDefault(tx, 0L);
      if (sale.affiliate() == null || before + amount > sale.amount() || before >= sale.amount()) {
        return;
      }
      refunded.put(tx, before + amount);
      if (sale.commission() <= 0) {
        return;
      }
      long back = share(sale.commission(), before + amount, sale.amount()) - share(sale.commission(), before,
          sale.amount());
      totals.merge(sale.affiliate(), -back, Long::sum);
    }

    private static long share(long commission, long part, long whole) {
      return new BigDecimal(commission).multiply(new BigDecimal(part))
          .divide(new BigDecimal(whole), 0, RoundingMode.HALF_EVEN).longValueExact();
    }
  }
}
