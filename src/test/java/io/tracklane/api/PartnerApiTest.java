package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.domain.DashboardPeriods;
import io.tracklane.domain.EventIds;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.testing.Facts;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.LedgerEngine;
import io.tracklane.testing.TestEngine;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The partner API's own operations against a real engine: settings changes, the dashboard summary in
 * the affiliate's time zone, reports (JSON and CSV) and per-link stats, figures checked against the
 * facts the test drove through the ledger.
 */
@Timeout(240)
class PartnerApiTest {
  @RegisterExtension
  static final LedgerEngine LEDGER = new LedgerEngine();

  private static final ZoneId KATHMANDU = ZoneId.of("Asia/Kathmandu");
  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
  /** Local midnight that started today in Kathmandu (+05:45): 18:15 UTC. */
  private static final Instant MIDNIGHT = LocalDate.now(KATHMANDU).atStartOfDay(KATHMANDU).toInstant();

  private static Fixtures owner;
  private static Facts facts;
  private static String jane;
  private static String joe;
  private static String kim;
  private static String janeKey;
  private static String joeKey;
  private static String kimKey;
  private static JsonObject linkA;
  private static JsonObject linkB;
  private static JsonObject kimsLink;
  private static String campaignA;
  private static String campaignB;
  /** What each affiliate's facts were, for the reference figures. */
  private static final List<Fact> JANE = new ArrayList<>();
  private static final List<Fact> JOE = new ArrayList<>();

  /** One fact as the figures count it: a click (unique or not) or a credited sale with its commission. */
  private record Fact(Instant at, long clicks, long unique, long conversions, long revenue, long commission) {
  }

  @BeforeAll
  static void start() {
    owner = new Fixtures(LEDGER.engine(), "EUR", "Europe/Paris");
    facts = LEDGER.facts();
    campaignA = owner.campaign(new JsonObject().put("name", "Alpha")).getString("id");
    campaignB = owner.campaign(new JsonObject().put("name", "Beta")).getString("id");
    jane = owner.affiliate(campaignA, "jane@partner.example").getString("id");
    owner.create("/affiliates", new JsonObject().put("campaign_id", campaignB).put("email", "jane@partner.example"),
        201);
    joe = owner.affiliate(campaignA, "joe@partner.example").getString("id");
    kim = owner.affiliate(campaignA, "kim@partner.example").getString("id");
    janeKey = LEDGER.engine().affiliateKey(owner.programId, Long.parseLong(jane));
    joeKey = LEDGER.engine().affiliateKey(owner.programId, Long.parseLong(joe));
    kimKey = LEDGER.engine().affiliateKey(owner.programId, Long.parseLong(kim));
    put(janeKey, new JsonObject().put("time_zone", "Asia/Kathmandu"), 200);
    linkA = owner.link(campaignA, jane);
    linkB = owner.link(campaignB, jane);
    JsonObject joesLink = owner.link(campaignA, joe);
    kimsLink = owner.link(campaignA, kim);

    // Jane, around her local midnight: a sale one second before it (yesterday) and one after (today).
    String beforeMidnight = click(linkA, MIDNIGHT.minusSeconds(20 * 60), "newsletter", "s1a", false, JANE);
    String afterMidnight = click(linkA, MIDNIGHT.minusSeconds(10 * 60), "newsletter", "s1b", false, JANE);
    click(linkA, MIDNIGHT.minus(Duration.ofHours(5)), null, null, true, JANE);
    sale("S1", beforeMidnight, 10_000, MIDNIGHT.minusSeconds(1), JANE);
    sale("S2", afterMidnight, 4_000, MIDNIGHT.plusSeconds(1), JANE);
    // Last month, on link B (campaign Beta).
    Instant lastMonth = LocalDate.now(KATHMANDU).withDayOfMonth(1).minusMonths(1).atTime(12, 0).atZone(KATHMANDU)
        .toInstant();
    sale("S3", click(linkB, lastMonth, null, null, false, JANE), 700, lastMonth.plusSeconds(60), JANE);
    // Joe, at the same instant as Jane's late sale: never in her figures.
    sale("J1", click(joesLink, MIDNIGHT.minusSeconds(30 * 60), "newsletter", "s1a", false, JOE), 5_500,
        MIDNIGHT.minusSeconds(1), JOE);
    facts.awaitScalar(5, LedgerEngine.WAIT, "SELECT count(*) FROM clicks WHERE program_id = $1", owner.programId);
    facts.awaitScalar(4, LedgerEngine.WAIT,
        "SELECT count(*) FROM conversions WHERE program_id = $1 AND status = 'credited'", owner.programId);
  }

  private static String click(JsonObject link, Instant at, String source, String sub1, boolean repeat,
      List<Fact> model) {
    long linkId = Long.parseLong(link.getString("id"));
    String id = facts.clickId(linkId, at);
    facts.send(new CloudEvent(EventIds.click(id), EventTypes.CLICK_RECORDED, owner.programId, at, new JsonObject()
        .put("click_id", id).put("link_id", linkId).put("campaign_id", Long.parseLong(link.getString("campaign_id")))
        .put("affiliate_id", Long.parseLong(link.getString("affiliate_id"))).put("creditable", true)
        .put("source", source).put("sub1", sub1).put("flags", new JsonArray(repeat ? List.of("duplicate") : List.of()))));
    model.add(new Fact(at, 1, repeat ? 0 : 1, 0, 0, 0));
    return id;
  }

  /** A credited sale in EUR; the campaigns pay 15%. */
  private static void sale(String transactionId, String clickId, long amountMinor, Instant at, List<Fact> model) {
    facts.send(Facts.postback(owner.programId, at, new JsonObject().put("transaction_id", transactionId)
        .put("click_id", clickId).put("amount_minor", amountMinor).put("currency", "EUR")));
    model.add(new Fact(at, 0, 0, 1, amountMinor, amountMinor * 15 / 100));
  }

  @Test
  void aTimeZoneChangeShowsInTheNextDashboardSummaryThoughTheAnswerWasCached() throws InterruptedException {
    String lee = owner.affiliate(campaignA, "lee@partner.example").getString("id");
    String leeKey = LEDGER.engine().affiliateKey(owner.programId, Long.parseLong(lee));
    assertEquals("Europe/Paris", Http.json(get(leeKey, "/affiliate/dashboard_summary", 200)).getString("time_zone"));
    assertEquals("Europe/Paris", Http.json(get(leeKey, "/affiliate/dashboard_summary", 200)).getString("time_zone"),
        "the second answer comes from the cache");
    put(leeKey, new JsonObject().put("time_zone", "Pacific/Chatham"), 200);
    String zone = null;
    for (int i = 0; i < 20 && !"Pacific/Chatham".equals(zone); i++) {
      Thread.sleep(i == 0 ? 0 : 100);
      zone = Http.json(get(leeKey, "/affiliate/dashboard_summary", 200)).getString("time_zone");
    }
    assertEquals("Pacific/Chatham", zone, "within two seconds of the change");
  }

  @Test
  void settingsChangeOnlyPayoutEmailAndTimeZone() {
    JsonObject changed = Http.json(put(kimKey, new JsonObject().put("payout_email", "pay@kim.example")
        .put("time_zone", "America/New_York"), 200));
    assertEquals("pay@kim.example", changed.getString("payout_email"));
    assertEquals("America/New_York", changed.getString("time_zone"));
    assertEquals(changed, Http.json(get(kimKey, "/affiliate/settings", 200)));
    assertEquals("kim@partner.example", changed.getString("email"), "the login e-mail stays");
    // Null clears one and leaves the other.
    JsonObject cleared = Http.json(put(kimKey, new JsonObject().put("payout_email", null), 200));
    assertNull(cleared.getString("payout_email"));
    assertEquals("America/New_York", cleared.getString("time_zone"));
    JsonObject audit = Http.json(owner.ownerGet("/audit_log?action=affiliate.settings_updated&entity_id=" + kim));
    assertEquals(2, audit.getJsonArray("data").size(), audit.encode());
    assertEquals("pay@kim.example", audit.getJsonArray("data").getJsonObject(0).getJsonObject("before")
        .getString("payout_email"));
  }

  @Test
  void settingsRefuseEverythingElseWithAClearMessage() {
    JsonObject before = Http.json(get(kimKey, "/affiliate/settings", 200));
    String[][] cases = {
        {"{\"first_name\":\"Mallory\"}", "first_name cannot be changed through the partner API"},
        {"{\"state\":\"active\",\"time_zone\":\"UTC\"}", "state cannot be changed through the partner API"},
        {"{\"email\":\"other@partner.example\"}", "email cannot be changed through the partner API"},
        {"{\"time_zone\":\"Mars/Olympus\"}", "time_zone must be a tz database name"},
        {"{\"time_zone\":\"+02:00\"}", "time_zone must be a tz database name"},
        {"{\"time_zone\":\"europe/paris\"}", "time_zone must be a tz database name"},
        {"{\"time_zone\":5}", "time_zone"},
        // The document's format check answers some of these, the handler's the rest: both name the field.
        {"{\"payout_email\":\"not-an-address\"}", "payout_email"},
        {"{\"payout_email\":\"a b@example.com\"}", "payout_email"},
        {"{\"payout_email\":\"jane@localhost\"}", "payout_email"},
        {"{}", "the body must set payout_email, time_zone or both"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = Http.put(LEDGER.engine().apiUrl() + "/affiliate/settings", "application/json", c[0],
          Http.basic(kimKey));
      assertEquals(400, r.statusCode(), c[0] + " " + r.body());
      assertTrue(Http.json(r).getString("error").contains(c[1]), c[0] + " " + r.body());
    }
    assertEquals(before, Http.json(get(kimKey, "/affiliate/settings", 200)), "nothing changed");
    HttpResponse<String> owners = Http.put(LEDGER.engine().apiUrl() + "/affiliate/settings", "application/json",
        "{\"time_zone\":\"UTC\"}", "X-Api-Key", owner.ownerKey);
    assertEquals(403, owners.statusCode(), owners.body());
  }

  @Test
  void dashboardSummaryIsExactInTheAffiliatesTimeZone() {
    JsonObject summary = awaitJson(janeKey, "/affiliate/dashboard_summary", expectedSummary(JANE, KATHMANDU));
    assertEquals("Asia/Kathmandu", summary.getString("time_zone"));
    // Around her midnight: the sale one second before it is yesterday's, the one a second after today's.
    assertEquals(money(4_000), summary.getJsonObject("today").getJsonArray("revenue"));
    assertEquals(1, summary.getJsonObject("today").getLong("conversions"));
    assertEquals(money(10_000), summary.getJsonObject("yesterday").getJsonArray("revenue"));
    assertEquals(money(1_500), summary.getJsonObject("yesterday").getJsonArray("commissions"));
  }

  @Test
  void dashboardSummaryFallsBackToTheProgramsTimeZone() {
    JsonObject summary = awaitJson(joeKey, "/affiliate/dashboard_summary", expectedSummary(JOE, PARIS));
    assertEquals("Europe/Paris", summary.getString("time_zone"));
  }

  @Test
  void aNewSaleShowsInTheCachedSummaryASecondAfterTheLedgerWroteIt() {
    JsonObject before = Http.json(get(kimKey, "/affiliate/dashboard_summary", 200));
    assertEquals(before, Http.json(get(kimKey, "/affiliate/dashboard_summary", 200)), "cached now");
    Instant now = Instant.now();
    sale("K1", click(kimsLink, now, null, null, false, new ArrayList<>()), 2_000, now.plusMillis(1),
        new ArrayList<>());
    facts.awaitScalar(1, LedgerEngine.WAIT, "SELECT count(*) FROM conversions WHERE program_id = $1 "
        + "AND transaction_id = 'K1' AND status = 'credited'", owner.programId);
    Http.sleep(1_000);
    JsonObject today = Http.json(get(kimKey, "/affiliate/dashboard_summary", 200)).getJsonObject("today");
    assertEquals(before.getJsonObject("today").getLong("conversions") + 1, today.getLong("conversions"));
    assertEquals(money(2_000), today.getJsonArray("revenue"));
  }

  @Test
  void partnerAnswersComeFromTheStatsCacheAndSurviveItsLoss() {
    String path = "/affiliate/reports?group_by=link&timezone=Asia/Kathmandu";
    awaitJson(janeKey, "/affiliate/dashboard_summary", expectedSummary(JANE, KATHMANDU));
    JsonObject summary = Http.json(get(janeKey, "/affiliate/dashboard_summary", 200));
    JsonObject report = Http.json(get(janeKey, path, 200));
    // The ledger bumps the program's version just after its commits (and any change through the API
    // does): a bump makes the next read compute again, legitimately. Wait for a quiet spell.
    double computed = -1;
    for (int attempt = 0; attempt < 20; attempt++) {
      double before = LEDGER.engine().metric("tracklane_stats_cache_computed_total");
      for (int i = 0; i < 3; i++) {
        assertEquals(summary, Http.json(get(janeKey, "/affiliate/dashboard_summary", 200)));
        assertEquals(report, Http.json(get(janeKey, path, 200)));
      }
      if (before == LEDGER.engine().metric("tracklane_stats_cache_computed_total")) {
        computed = before;
        break;
      }
      Http.sleep(250);
    }
    assertTrue(computed >= 0, "three rounds in a row answered from Redis");
    assertTrue(deleteCachedAnswers() >= 2);
    assertEquals(summary, Http.json(get(janeKey, "/affiliate/dashboard_summary", 200)));
    assertEquals(report, Http.json(get(janeKey, path, 200)));
    assertEquals(computed + 2, LEDGER.engine().metric("tracklane_stats_cache_computed_total"),
        "recomputed from PostgreSQL once each, equal to before");
  }

  /** Deletes this engine's cached stats answers (its own key prefix only; the Redis is shared). */
  private static long deleteCachedAnswers() {
    Vertx vertx = Vertx.vertx();
    Redis redis = Redis.createClient(vertx, LEDGER.engine().config().redis().url());
    try {
      return TestEngine.await(redis.send(Request.cmd(Command.EVAL).arg(
              "local ks = redis.call('KEYS', ARGV[1]) for _, k in ipairs(ks) do redis.call('DEL', k) end return #ks")
          .arg(0).arg(LEDGER.engine().config().redis().keyPrefix() + "stats:a:*"))).toLong();
    } finally {
      redis.close();
      vertx.close();
    }
  }

  /** The reference: each period of the zone's calendar sums the facts whose instant falls in it. */
  private static JsonObject expectedSummary(List<Fact> model, ZoneId zone) {
    JsonObject out = new JsonObject().put("time_zone", zone.getId());
    for (DashboardPeriods.Period p : DashboardPeriods.at(Instant.now(), zone)) {
      List<Fact> in = model.stream().filter(f -> p.contains(f.at())).toList();
      out.put(p.name(), new JsonObject().put("from", p.from().toString()).put("to", p.to().toString())
          .put("clicks", in.stream().mapToLong(Fact::clicks).sum())
          .put("conversions", in.stream().mapToLong(Fact::conversions).sum())
          .put("revenue", sumMoney(in, Fact::revenue)).put("commissions", sumMoney(in, Fact::commission)));
    }
    return out;
  }

  private static JsonArray sumMoney(List<Fact> facts, ToLongFunction<Fact> amount) {
    return facts.stream().anyMatch(f -> f.conversions() > 0) ? money(facts.stream().mapToLong(amount).sum())
        : new JsonArray();
  }

  @Test
  void linksAndCampaignsCarryTheirAllTimeStats() {
    JsonObject a = stats(3, 2, 2, 14_000, 2_100);
    JsonObject b = stats(1, 1, 1, 700, 105);
    JsonArray links = awaitJson(janeKey, "/affiliate/links", r -> r.getJsonArray("data").stream()
        .map(JsonObject.class::cast).anyMatch(l -> l.getJsonObject("stats").getLong("conversions") == 2))
        .getJsonArray("data");
    for (Object o : links) {
      JsonObject link = (JsonObject) o;
      assertEquals(link.getString("id").equals(linkA.getString("id")) ? a : b, link.getJsonObject("stats"),
          link.encode());
    }
    for (Object o : Http.json(get(janeKey, "/affiliate/campaigns", 200)).getJsonArray("data")) {
      JsonObject campaign = (JsonObject) o;
      assertEquals(campaign.getString("id").equals(campaignA) ? a : b, campaign.getJsonObject("stats"),
          "Joe's sale in Alpha is not Jane's: " + campaign.encode());
    }
    JsonObject joes = Http.json(get(joeKey, "/affiliate/links", 200)).getJsonArray("data").getJsonObject(0);
    assertEquals(stats(1, 1, 1, 5_500, 825), joes.getJsonObject("stats"));
  }

  @Test
  void reportsGroupTheAffiliatesOwnFactsByDaySubAndLink() {
    LocalDate today = LocalDate.now(KATHMANDU);
    String range = "&from=" + today.minusDays(1) + "&to=" + today + "&timezone=Asia/Kathmandu";
    awaitJson(janeKey, "/affiliate/dashboard_summary", expectedSummary(JANE, KATHMANDU));
    JsonObject days = Http.json(get(janeKey, "/affiliate/reports?group_by=day" + range, 200));
    assertEquals(new JsonArray()
        .add(row(today.minusDays(1).toString(), null, stats(3, 2, 1, 10_000, 1_500)))
        .add(row(today.toString(), null, stats(0, 0, 1, 4_000, 600))), days.getJsonArray("data"));
    assertEquals("Asia/Kathmandu", days.getString("time_zone"));
    assertEquals(2, days.getJsonObject("pagination").getLong("total_count"));
    // Each sale carries its click's sub1; Joe's click with sub1 s1a is not Jane's.
    assertEquals(new JsonArray()
        .add(row("s1a", null, stats(1, 1, 1, 10_000, 1_500)))
        .add(row("s1b", null, stats(1, 1, 1, 4_000, 600)))
        .add(row(null, null, stats(1, 0, 0, 0, 0))),
        Http.json(get(janeKey, "/affiliate/reports?group_by=sub1" + range, 200)).getJsonArray("data"));
    JsonObject page2 = Http.json(get(janeKey, "/affiliate/reports?group_by=sub1&limit=2&page=2" + range, 200));
    assertEquals(1, page2.getJsonArray("data").size());
    assertEquals(2, page2.getJsonObject("pagination").getLong("total_pages"));
    assertEquals(new JsonArray().add(row("s1b", null, stats(1, 1, 1, 4_000, 600))),
        Http.json(get(janeKey, "/affiliate/reports?group_by=sub1&sub1=s1b" + range, 200)).getJsonArray("data"));
    assertEquals(new JsonArray().add(row(campaignA, "Alpha", stats(3, 2, 2, 14_000, 2_100))),
        Http.json(get(janeKey, "/affiliate/reports?group_by=campaign" + range, 200)).getJsonArray("data"));
  }

  @Test
  void reportsAnswerCsvWithOneLinePerGroupAndCurrency() {
    LocalDate today = LocalDate.now(KATHMANDU);
    awaitJson(janeKey, "/affiliate/dashboard_summary", expectedSummary(JANE, KATHMANDU));
    String query = "/affiliate/reports?group_by=link&timezone=Asia/Kathmandu&to=" + today + "&from="
        + today.withDayOfMonth(1).minusMonths(1);
    HttpResponse<String> r = Http.get(LEDGER.engine().apiUrl() + query, "Accept", "text/csv", "Authorization",
        Http.basic(janeKey)[1]);
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/csv"));
    assertEquals(Csv.line(List.of("group", "name", "clicks", "unique_clicks", "conversions", "currency",
        "revenue_cents", "commissions_cents"))
        + Csv.line(List.of(linkA.getString("id"), linkA.getString("code"), 3, 2, 2, "EUR", 14_000, 2_100))
        + Csv.line(List.of(linkB.getString("id"), linkB.getString("code"), 1, 1, 1, "EUR", 700, 105)), r.body());
    HttpResponse<String> days = Http.get(LEDGER.engine().apiUrl() + "/affiliate/reports?group_by=day&from=" + today
        + "&to=" + today + "&source=nothing", "Accept", "text/csv", "Authorization", Http.basic(janeKey)[1]);
    assertEquals(Csv.line(List.of("group", "name", "clicks", "unique_clicks", "conversions", "currency",
        "revenue_cents", "commissions_cents")) + Csv.line(Arrays.asList(today.toString(), null, 0, 0, 0, "", 0, 0)),
        days.body(), "a day without facts is one line of zeros");
  }

  @Test
  void reportsRefuseBadParametersAndOtherAffiliatesIds() {
    String[][] cases = {
        // The document's enum and format checks answer these first: their messages name the parameter.
        {"group_by=device", "group_by"},
        {"group_by=affiliate", "group_by"},
        {"from=2026-02-30", "from"},
        {"to=yesterday", "to"},
        {"from=2026-03-02&to=2026-03-01", "to must not be before from"},
        {"from=2010-01-01&to=2025-01-02", "to must be at most 3660 days after from"},
        {"timezone=Mars/Olympus", "timezone must be a tz database name"},
        {"timezone=%2B05:45", "timezone must be a tz database name"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = Http.get(LEDGER.engine().apiUrl() + "/affiliate/reports?" + c[0], Http.basic(janeKey));
      assertEquals(400, r.statusCode(), c[0] + " " + r.body());
      assertTrue(Http.json(r).getString("error").contains(c[1]), c[0] + " " + r.body());
    }
    String joesLink = Http.json(get(joeKey, "/affiliate/links", 200)).getJsonArray("data").getJsonObject(0)
        .getString("id");
    assertEquals("Link not found.", Http.json(get(janeKey, "/affiliate/reports?link_id=" + joesLink, 404))
        .getString("error"));
    assertEquals(200, get(janeKey, "/affiliate/reports?link_id=" + linkA.getString("id"), 200).statusCode());
  }

  private static JsonObject row(String group, String name, JsonObject stats) {
    return new JsonObject().put("group", group).put("name", name).mergeIn(stats);
  }

  private static JsonObject stats(long clicks, long unique, long conversions, long revenue, long commissions) {
    boolean money = conversions > 0;
    return new JsonObject().put("clicks", clicks).put("unique_clicks", unique).put("conversions", conversions)
        .put("revenue", money ? money(revenue) : new JsonArray())
        .put("commissions", money ? money(commissions) : new JsonArray());
  }

  private static JsonArray money(long cents) {
    return new JsonArray().add(new JsonObject().put("currency", "EUR").put("amount_cents", cents));
  }

  /** Polls until the answer equals {@code expected} (the ledger and its rollups catch up), then returns it. */
  private static JsonObject awaitJson(String key, String pathAndQuery, JsonObject expected) {
    JsonObject last = awaitJson(key, pathAndQuery, expected::equals);
    assertEquals(expected, last);
    return last;
  }

  private static JsonObject awaitJson(String key, String pathAndQuery, Predicate<JsonObject> until) {
    long deadline = System.nanoTime() + LedgerEngine.WAIT.toNanos();
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      last = Http.json(get(key, pathAndQuery, 200));
      if (until.test(last)) {
        return last;
      }
      Http.sleep(200);
    }
    return last;
  }

  private static HttpResponse<String> put(String key, JsonObject body, int status) {
    HttpResponse<String> r = Http.put(LEDGER.engine().apiUrl() + "/affiliate/settings", "application/json",
        body.encode(), Http.basic(key));
    assertEquals(status, r.statusCode(), r.body());
    return r;
  }

  private static HttpResponse<String> get(String key, String pathAndQuery, int status) {
    HttpResponse<String> r = Http.get(LEDGER.engine().apiUrl() + pathAndQuery, Http.basic(key));
    assertEquals(status, r.statusCode(), pathAndQuery + " " + r.body());
    return r;
  }
}
