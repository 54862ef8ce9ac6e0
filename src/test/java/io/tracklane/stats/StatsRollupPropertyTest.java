package io.tracklane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random fact streams (clicks with sources, subs, user agents and flags; impressions; sales and
 * leads through those clicks; refunds, some before their sale), with duplicates, redeliveries and
 * out-of-order arrival, run through the real ledger (Kafka, PostgreSQL): the rollups equal a
 * reference model computed from the fact list, cell by cell (day in the program's zone, link,
 * source, sub1, device), and the commission columns equal the commissions table by status. Then a
 * replay of the whole topic into a fresh consumer group leaves every figure unchanged.
 */
class StatsRollupPropertyTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String[] SOURCES = {null, "news", "ads"};
  private static final String[] SUBS = {null, "a", "b"};
  private static final String[] AGENTS = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"};
  private static final String[] DEVICES = {"desktop", "mobile", "tablet", "bot"};
  private static TestEngine engine;
  private static Facts facts;
  private static int sentTotal;

  /** One generated fact: its kind, which earlier click/sale it refers to, and its attributes. */
  record Op(String kind, int link, int source, int sub, int agent, int flag, int minutes, long amount, int ref) {
  }

  @BeforeContainer
  static void start() {
    engine = TestEngine.start(StatsRollupPropertyTest.class, Map.of("ledger.batch_max", "9"));
    facts = new Facts(engine);
  }

  @AfterContainer
  static void stop() {
    facts.close();
    engine.close();
  }

  @Provide
  Arbitrary<List<Op>> streams() {
    Arbitrary<Op> op = Combinators.combine(
        Arbitraries.of("click", "click", "click", "impression", "sale", "sale", "lead", "refund", "duplicate"),
        Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 8),
        Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 4 * 24 * 60),
        Arbitraries.longs().between(1, 90_000), Arbitraries.integers().between(0, 1000))
        .as((kind, link, sourceSub, agent, flag, minutes, amount, ref) -> new Op(kind, link, sourceSub / 3,
            sourceSub % 3, agent, flag, minutes, amount, ref));
    return op.list().ofMinSize(8).ofMaxSize(45);
  }

  @Provide
  Arbitrary<String> zones() {
    return Arbitraries.of("Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "America/New_York", "Pacific/Auckland");
  }

  @Property(tries = 10)
  void rollupsEqualTheReferenceModel(@ForAll("streams") List<Op> ops, @ForAll("zones") String zoneName,
      @ForAll long seed) {
    ZoneId zone = ZoneId.of(zoneName);
    Fixtures f = new Fixtures(engine, "EUR", zoneName);
    long[] links = new long[4];
    long[] campaigns = new long[4];
    long[] affiliates = new long[4];
    for (int c = 0; c < 2; c++) {
      String campaign = f.campaign(new JsonObject().put("currency", "EUR").put("commission_percent", 12.5)
          .put("payout_delay_days", 30).put("reward_cadence", "every_payment").put("lead_reward_cents", 200))
          .getString("id");
      for (int a = 0; a < 2; a++) {
        String affiliate = c == 0 ? f.affiliate(campaign, "p" + a + "@partner.example").getString("id")
            : f.create("/affiliates", new JsonObject().put("campaign_id", campaign)
                .put("email", "p" + a + "@partner.example").put("first_name", "Jane").put("last_name", "Doe"), 201)
                .getString("id");
        JsonObject link = f.link(campaign, affiliate);
        links[c * 2 + a] = Long.parseLong(link.getString("id"));
        campaigns[c * 2 + a] = Long.parseLong(campaign);
        affiliates[c * 2 + a] = Long.parseLong(affiliate);
      }
    }

    Model model = new Model(zone);
    Instant base = Instant.now().minus(Duration.ofDays(4)).truncatedTo(ChronoUnit.SECONDS);
    List<Timed> stream = new ArrayList<>();
    Random random = new Random(seed);
    List<Timed> clicks = new ArrayList<>();
    List<Timed> sales = new ArrayList<>();
    int n = 0;
    for (Op op : ops) {
      n++;
      switch (op.kind()) {
        case "click" -> {
          Instant at = base.plus(Duration.ofMinutes(op.minutes()));
          int l = op.link();
          List<String> flags = switch (op.flag()) {
            case 0 -> List.of("duplicate");
            case 1 -> List.of("bot");
            default -> List.of();
          };
          String clickId = facts.clickId(links[l], at);
          CloudEvent e = new CloudEvent(EventIds.click(clickId), EventTypes.CLICK_RECORDED, f.programId, at,
              new JsonObject().put("click_id", clickId).put("link_id", links[l]).put("campaign_id", campaigns[l])
                  .put("affiliate_id", affiliates[l]).put("creditable", true).put("source", SOURCES[op.source()])
                  .put("sub1", SUBS[op.sub()]).put("user_agent", AGENTS[op.agent()])
                  .put("flags", new JsonArray(flags)));
          String device = flags.contains("bot") ? "bot" : DEVICES[op.agent()];
          Cell cell = new Cell(day(at, zone), links[l], n(SOURCES[op.source()]), n(SUBS[op.sub()]), device);
          Timed t = new Timed(e, random.nextDouble(), cell, at, flags.contains("bot"));
          clicks.add(t);
          stream.add(t);
          model.click(t, flags);
        }
        case "impression" -> {
          Instant at = base.plus(Duration.ofMinutes(op.minutes()));
          int l = op.link();
          CloudEvent e = new CloudEvent("imp_" + UUID.randomUUID(), EventTypes.IMPRESSION_RECORDED, f.programId, at,
              new JsonObject().put("link_id", links[l]).put("campaign_id", campaigns[l])
                  .put("affiliate_id", affiliates[l]));
          Timed t = new Timed(e, random.nextDouble(), new Cell(day(at, zone), links[l], "", "", ""), at, false);
          stream.add(t);
          model.impression(t);
        }
        case "sale", "lead" -> {
          if (clicks.isEmpty()) {
            continue;
          }
          Timed click = clicks.get(op.ref() % clicks.size());
          Instant at = click.at.plus(Duration.ofMinutes(1 + op.minutes() % 600));
          if (at.isAfter(Instant.now())) {
            at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
          }
          String tx = op.kind() + "-" + seed + "-" + n;
          JsonObject data = new JsonObject().put("event", op.kind()).put("transaction_id", tx)
              .put("click_id", click.event.data().getString("click_id"));
          if ("sale".equals(op.kind())) {
            data.put("amount_minor", op.amount()).put("currency", "EUR");
          }
          Cell cell = new Cell(day(at, zone), click.cell.link(), click.cell.source(), click.cell.sub1(),
              click.cell.device());
          // A conversion arrives after its click (the same program's facts share a partition), but
          // anywhere after it.
          Timed t = new Timed(Facts.postback(f.programId, at, data),
              click.order + random.nextDouble() * (1 - click.order), cell, at, false);
          stream.add(t);
          if (click.bot()) {
            // A click flagged bot credits nothing (docs/ledger.md): the conversion is rejected, counted nowhere.
            continue;
          }
          if ("sale".equals(op.kind())) {
            sales.add(t);
            model.sale(t, op.amount());
          } else {
            model.lead(t);
          }
        }
        case "refund" -> {
          if (sales.isEmpty()) {
            continue;
          }
          Timed sale = sales.get(op.ref() % sales.size());
          long saleAmount = sale.event.data().getLong("amount_minor");
          long amount = Math.max(1, saleAmount / 3);
          if (model.refunded.getOrDefault(sale, 0L) + amount > saleAmount) {
            continue;
          }
          Instant at = sale.at.plus(Duration.ofMinutes(1 + op.minutes() % 300));
          if (at.isAfter(Instant.now())) {
            at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
          }
          JsonObject data = new JsonObject().put("event", "refund")
              .put("transaction_id", sale.event.data().getString("transaction_id")).put("amount_minor", amount)
              .put("currency", "EUR").put("refund_id", "r" + n);
          Cell cell = new Cell(day(at, zone), sale.cell.link(), sale.cell.source(), sale.cell.sub1(),
              sale.cell.device());
          // Anywhere in the stream: a refund before its sale waits for it.
          Timed t = new Timed(Facts.postback(f.programId, at, data), random.nextDouble(), cell, at, false);
          stream.add(t);
          model.refund(t, sale, amount);
        }
        default -> {
          if (!stream.isEmpty()) {
            // A duplicate or redelivery: the same fact again, later.
            Timed again = stream.get(op.ref() % stream.size());
            stream.add(new Timed(again.event, again.order + random.nextDouble() * (1 - again.order), null, again.at,
                again.bot));
          }
        }
      }
    }
    stream.sort(Comparator.comparingDouble(Timed::order));
    for (Timed t : stream) {
      facts.send(t.event);
      sentTotal++;
    }

    Map<String, Long> expected = model.cells;
    Map<String, Long> actual = awaitCells(f.programId, zone, expected);
    assertEquals(expected, actual, "rollups for " + ops + " in " + zoneName);
    assertCommissionsMatch(f.programId);

    // The owner's report over the span, through the API (and its cache), agrees day by day.
    JsonObject report = Http.json(f.ownerGet("/reports?group_by=day&limit=100&from="
        + day(base, zone) + "&to=" + day(Instant.now(), zone)));
    Map<String, Long> perDay = new TreeMap<>();
    for (Object o : report.getJsonArray("data")) {
      JsonObject row = (JsonObject) o;
      if (row.getLong("clicks") > 0) {
        perDay.put(row.getString("key"), row.getLong("clicks"));
      }
    }
    assertEquals(model.clicksPerDay, perDay, "clicks per day through /reports");
  }

  /** The rollups of the program as "day|link|source|sub1|device|measure" -> value, waiting until they match. */
  private static Map<String, Long> awaitCells(long programId, ZoneId zone, Map<String, Long> expected) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Map<String, Long> actual = cells(programId, zone);
    while (!expected.equals(actual) && System.nanoTime() < deadline) {
      Http.sleep(250);
      actual = cells(programId, zone);
    }
    return actual;
  }

  static Map<String, Long> cells(long programId, ZoneId zone) {
    Map<String, Long> out = new TreeMap<>();
    for (var r : facts.sql("""
        SELECT to_char(bucket AT TIME ZONE $2, 'YYYY-MM-DD') AS day, link_id, source, sub1, device,
               sum(clicks)::bigint AS clicks, sum(unique_clicks)::bigint AS unique_clicks,
               sum(bot_clicks)::bigint AS bot_clicks, sum(duplicate_clicks)::bigint AS duplicate_clicks,
               sum(impressions)::bigint AS impressions, sum(leads)::bigint AS leads,
               sum(conversions)::bigint AS conversions, sum(refunds)::bigint AS refunds,
               sum(revenue_minor)::bigint AS revenue, sum(refunded_minor)::bigint AS refunded
          FROM stats_rollups WHERE program_id = $1 GROUP BY 1, 2, 3, 4, 5""", programId, zone.getId())) {
      String cell = r.getString("day") + "|" + r.getLong("link_id") + "|" + r.getString("source") + "|"
          + r.getString("sub1") + "|" + r.getString("device");
      for (String m : List.of("clicks", "unique_clicks", "bot_clicks", "duplicate_clicks", "impressions", "leads",
          "conversions", "refunds", "revenue", "refunded")) {
        long v = r.getLong(m);
        if (v != 0) {
          out.put(cell + "|" + m, v);
        }
      }
    }
    return out;
  }

  /** Every commission column of the rollups equals the commissions table by (campaign, affiliate, status). */
  static void assertCommissionsMatch(long programId) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Map<String, Long> table = commissionTable(programId);
    Map<String, Long> rollups = commissionRollups(programId);
    while (!table.equals(rollups) && System.nanoTime() < deadline) {
      Http.sleep(250);
      table = commissionTable(programId);
      rollups = commissionRollups(programId);
    }
    assertEquals(table, rollups, "commission amounts by status");
  }

  private static Map<String, Long> commissionTable(long programId) {
    Map<String, Long> out = new TreeMap<>();
    for (var r : facts.sql("""
        SELECT campaign_id, affiliate_id, status, currency, sum(amount_minor)::bigint AS total FROM commissions
         WHERE program_id = $1 GROUP BY 1, 2, 3, 4""", programId)) {
      if (r.getLong("total") != 0) {
        out.put(r.getLong("campaign_id") + "|" + r.getLong("affiliate_id") + "|" + r.getString("status") + "|"
            + r.getString("currency"), r.getLong("total"));
      }
    }
    return out;
  }

  private static Map<String, Long> commissionRollups(long programId) {
    Map<String, Long> out = new TreeMap<>();
    for (var r : facts.sql("""
        SELECT campaign_id, affiliate_id, currency, sum(commission_pending_minor)::bigint AS pending,
               sum(commission_due_minor)::bigint AS due, sum(commission_paid_minor)::bigint AS paid,
               sum(commission_voided_minor)::bigint AS voided
          FROM stats_rollups WHERE program_id = $1 AND currency <> '' GROUP BY 1, 2, 3""", programId)) {
      for (String status : List.of("pending", "due", "paid", "voided")) {
        if (r.getLong(status) != 0) {
          out.put(r.getLong("campaign_id") + "|" + r.getLong("affiliate_id") + "|" + status + "|"
              + r.getString("currency"), r.getLong(status));
        }
      }
    }
    return out;
  }

  private static String day(Instant at, ZoneId zone) {
    return at.atZone(zone).toLocalDate().toString();
  }

  private static String n(String s) {
    return s == null ? "" : s;
  }

  /** A fact with its place in the arrival order, the cell it counts in, and when it happened. */
  record Timed(CloudEvent event, double order, Cell cell, Instant at, boolean bot) {
  }

  record Cell(String day, long link, String source, String sub1, String device) {
    String key() {
      return day + "|" + link + "|" + source + "|" + sub1 + "|" + device;
    }
  }

  /** The reference: what each distinct fact adds, from the fact list alone. */
  static final class Model {
    final ZoneId zone;
    final Map<String, Long> cells = new TreeMap<>();
    final Map<String, Long> clicksPerDay = new TreeMap<>();
    final Map<Timed, Long> refunded = new HashMap<>();
    final Set<String> seen = new HashSet<>();

    Model(ZoneId zone) {
      this.zone = zone;
    }

    void click(Timed t, List<String> flags) {
      add(t.cell, "clicks", 1);
      clicksPerDay.merge(t.cell.day(), 1L, Long::sum);
      if (!flags.contains("duplicate")) {
        add(t.cell, "unique_clicks", 1);
      } else {
        add(t.cell, "duplicate_clicks", 1);
      }
      if (flags.contains("bot")) {
        add(t.cell, "bot_clicks", 1);
      }
    }

    void impression(Timed t) {
      add(t.cell, "impressions", 1);
    }

    void sale(Timed t, long amount) {
      add(t.cell, "conversions", 1);
      add(t.cell, "revenue", amount);
    }

    void lead(Timed t) {
      add(t.cell, "leads", 1);
    }

    void refund(Timed t, Timed sale, long amount) {
      refunded.merge(sale, amount, Long::sum);
      add(t.cell, "refunds", 1);
      add(t.cell, "refunded", amount);
      add(t.cell, "revenue", -amount);
    }

    private void add(Cell cell, String measure, long v) {
      cells.merge(cell.key() + "|" + measure, v, Long::sum);
      cells.values().removeIf(x -> x == 0);
    }
  }
}
