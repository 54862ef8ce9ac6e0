package io.tracklane.ledger;

import io.tracklane.firehose.CloudEvent;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Ledger throughput against a baseline in the same run. Baseline: a plain batched insert of the
 * rows the ledger writes per sale (conversion, commission, outbox event) into copies of the tables.
 * Ledger: the same number of sale facts drained from Kafka through attribution, cadence, customer
 * locks and outbox. Then a sustained rate at half the drain rate, sampling consumer lag.
 * Run: see docs/benchmarks.md (ledger section).
 */
public final class LedgerBenchmark {
  private static final int SALES = Integer.getInteger("sales", 20_000);
  private static final int BATCH = 500;

  public static void main(String[] args) {
    // The engines' pools and clients leave non-daemon threads behind: exit once the figures are out.
    try {
      run();
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run() throws Exception {
    try (TestEngine api = TestEngine.start(LedgerBenchmark.class, Map.of("roles", "edge,api"));
         Facts facts = new Facts(api)) {
      Fixtures f = new Fixtures(api, "EUR");
      JsonObject campaign = f.campaign(new JsonObject().put("reward_cadence", "first_year"));
      String affiliate = f.affiliate(campaign.getString("id"), "bench@partner.example").getString("id");
      long linkId = Long.parseLong(f.link(campaign.getString("id"), affiliate).getString("id"));
      List<CloudEvent> events = sales(facts, f.programId, linkId, "b", SALES);
      double baseline = baseline(api.engine().pool(), f.programId, Long.parseLong(campaign.getString("id")),
          Long.parseLong(affiliate), events);
      events.forEach(e -> facts.send(null, e));
      facts.flush();

      Map<String, String> ledgerOnly = ledgerSettings(api);
      try (TestEngine ledger = TestEngine.startSharing(LedgerBenchmark.class, ledgerOnly)) {
        // Timed from the first conversion written, so engine start and the group join are not counted.
        long first = 0;
        while (first == 0) {
          first = facts.scalar("SELECT count(*) FROM conversions WHERE program_id = $1", f.programId);
          Thread.sleep(5);
        }
        long start = System.nanoTime();
        facts.awaitScalar(SALES, Duration.ofMinutes(10), "SELECT count(*) FROM conversions WHERE program_id = $1",
            f.programId);
        double drain = (SALES - first) / ((System.nanoTime() - start) / 1e9);
        long commissions = facts.scalar("SELECT count(*) FROM commissions WHERE program_id = $1", f.programId);
        System.out.printf("baseline plain batched insert: %.0f sales/s (conversion+commission+outbox rows)%n",
            baseline);
        System.out.printf("ledger drain: %.0f conversions/s (%d commissions), %.0f%% of baseline%n", drain,
            commissions, 100 * drain / baseline);
        sustained(api, facts, f.programId, linkId, (int) (drain / 2));
      }
    }
  }

  private static Map<String, String> ledgerSettings(TestEngine api) {
    Map<String, String> s = new HashMap<>(api.settingsView());
    s.put("roles", "ledger");
    s.put("http.ops_port", Integer.toString(TestEngine.freePort()));
    return s;
  }

  private static List<CloudEvent> sales(Facts facts, long programId, long linkId, String prefix, int n) {
    Instant now = Instant.now();
    List<CloudEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(Facts.postback(programId, now, new JsonObject().put("transaction_id", prefix + "-" + i)
          .put("click_id", facts.clickId(linkId, now)).put("customer_id", prefix + "-cust-" + (i % (n / 2)))
          .put("amount_minor", 1000L + i).put("currency", "EUR")));
    }
    return out;
  }

  /** The same three rows per sale, inserted in batches of {@value #BATCH} with no logic at all. */
  private static double baseline(Pool pool, long programId, long campaignId, long affiliateId,
      List<CloudEvent> events) {
    TestEngine.await(pool.query("""
        CREATE TABLE bench_conversions (LIKE conversions INCLUDING ALL);
        CREATE TABLE bench_commissions (LIKE commissions INCLUDING ALL);
        CREATE TABLE bench_outbox (LIKE outbox INCLUDING ALL)""").execute());
    long start = System.nanoTime();
    for (int from = 0; from < events.size(); from += BATCH) {
      List<Tuple> conversions = new ArrayList<>();
      List<Tuple> commissions = new ArrayList<>();
      List<Tuple> outbox = new ArrayList<>();
      OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC);
      for (CloudEvent e : events.subList(from, Math.min(events.size(), from + BATCH))) {
        JsonObject d = e.data();
        conversions.add(Tuple.of(programId, e.id(), d.getString("transaction_id"), d.getLong("amount_minor"),
            d.getString("click_id"), affiliateId, campaignId, at));
        commissions.add(Tuple.of(programId, "sale:" + e.id(), affiliateId, campaignId, d.getLong("amount_minor") / 10,
            at));
        outbox.add(Tuple.of(programId, e.id(), e.encode()));
      }
      TestEngine.await(pool.withTransaction(tx -> tx.preparedQuery("""
              INSERT INTO bench_conversions (program_id, event_id, kind, transaction_id, amount_minor, currency,
                click_id, affiliate_id, campaign_id, status, occurred_at)
              VALUES ($1, $2, 'sale', $3, $4, 'EUR', $5, $6, $7, 'credited', $8)""").executeBatch(conversions)
          .compose(v -> tx.preparedQuery("""
              INSERT INTO bench_commissions (program_id, source_key, kind, affiliate_id, campaign_id, amount_minor,
                currency, status, due_at) VALUES ($1, $2, 'sale', $3, $4, $5, 'EUR', 'pending', $6)""")
              .executeBatch(commissions))
          .compose(v -> tx.preparedQuery("INSERT INTO bench_outbox (program_id, event_id, payload) VALUES ($1, $2, $3)")
              .executeBatch(outbox))));
    }
    return events.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** Produces at {@code rate}/s for 20 s and samples the group's lag every second. */
  private static void sustained(TestEngine api, Facts facts, long programId, long linkId, int rate)
      throws Exception {
    List<CloudEvent> events = sales(facts, programId, linkId, "s", rate * 20);
    Properties p = new Properties();
    p.put("bootstrap.servers", api.config().kafka().bootstrapServers());
    long maxLag = 0;
    try (Admin admin = Admin.create(p)) {
      long start = System.nanoTime();
      int sent = 0;
      long nextSample = start;
      while (sent < events.size()) {
        long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
        while (sent < Math.min(due, events.size())) {
          facts.send(null, events.get(sent++));
        }
        if (System.nanoTime() >= nextSample) {
          maxLag = Math.max(maxLag, lag(admin, api));
          nextSample += 1_000_000_000L;
        }
        Thread.sleep(5);
      }
    }
    System.out.printf("sustained %d conversions/s for 20 s: max consumer lag %d records (%.2f s at that rate)%n",
        rate, maxLag, (double) maxLag / rate);
  }

  private static long lag(Admin admin, TestEngine api) throws Exception {
    String group = api.config().kafka().consumerGroup();
    var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int i = 0; i < api.config().kafka().partitions(); i++) {
      latest.put(new TopicPartition(api.config().kafka().topicFacts(), i), OffsetSpec.latest());
    }
    long lag = 0;
    for (var e : admin.listOffsets(latest).all().get().entrySet()) {
      var c = committed.get(e.getKey());
      lag += e.getValue().offset() - (c == null ? 0 : c.offset());
    }
    return lag;
  }
}
