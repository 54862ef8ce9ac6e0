package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GET /analytics against a real engine: a program in Asia/Kolkata (UTC+5:30) whose facts are sent
 * at chosen instants, so that one of them falls on another day there than in UTC.
 */
@Timeout(180)
class AnalyticsTest {
  private static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final LocalDate UTC_TODAY = LocalDate.now(ZoneOffset.UTC);
  /** 20:00 UTC three days ago: 01:30 the next day in Kolkata. */
  private static final Instant LATE_EVENING = UTC_TODAY.minusDays(3).atTime(20, 0).toInstant(ZoneOffset.UTC);
  private static final Instant TEN_DAYS_AGO = UTC_TODAY.minusDays(10).atTime(12, 0).toInstant(ZoneOffset.UTC);
  /** In the 30 days before the last 30: the prior period of range 30d. */
  private static final Instant FORTY_DAYS_AGO = UTC_TODAY.minusDays(40).atTime(12, 0).toInstant(ZoneOffset.UTC);

  private static TestEngine engine;
  private static Facts facts;
  private static Fixtures owner;
  private static String campaignA;
  private static String campaignB;
  private static String affiliateX;
  private static String affiliateY;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(AnalyticsTest.class);
    facts = new Facts(engine);
    owner = new Fixtures(engine, "INR", "Asia/Kolkata");
    campaignA = owner.campaign(new JsonObject().put("name", "Alpha")).getString("id");
    campaignB = owner.campaign(new JsonObject().put("name", "Beta")).getString("id");
    affiliateX = owner.affiliate(campaignA, "x@partner.example").getString("id");
    affiliateY = owner.create("/affiliates", new JsonObject().put("campaign_id", campaignB)
        .put("email", "y@partner.example").put("first_name", "Yann").put("last_name", "Yu"), 201).getString("id");
    JsonObject linkA = owner.link(campaignA, affiliateX);
    JsonObject linkB = owner.link(campaignB, affiliateY);

    click(linkA, FORTY_DAYS_AGO, null, false);
    String c1 = click(linkA, LATE_EVENING, "newsletter", false);
    click(linkA, TEN_DAYS_AGO, null, true);
    String c3 = click(linkB, TEN_DAYS_AGO, "newsletter", false);
    sale("S1", c1, 10_000, LATE_EVENING.plus(Duration.ofMinutes(10)));
    sale("S2", c3, 5_000, TEN_DAYS_AGO.plus(Duration.ofMinutes(10)));
    facts.send(Facts.postback(owner.programId, TEN_DAYS_AGO.plus(Duration.ofMinutes(5)), new JsonObject()
        .put("event", "lead").put("transaction_id", "L1").put("click_id", c3)));
    facts.send(Facts.postback(owner.programId, LATE_EVENING.plus(Duration.ofHours(1)), new JsonObject()
        .put("event", "refund").put("transaction_id", "S1").put("refund_id", "R1").put("amount_minor", 1_000L)
        .put("currency", "INR")));
    // And one sale through the edge today, as a visitor would bring it.
    owner.sale(linkA.getString("code"), "LIVE-1", "20.00");

    facts.awaitScalar(5, WAIT, "SELECT count(*) FROM clicks WHERE program_id = $1", owner.programId);
    facts.awaitScalar(4, WAIT, "SELECT count(*) FROM conversions WHERE program_id = $1 AND status = 'credited'",
        owner.programId);
    facts.awaitScalar(1, WAIT, "SELECT count(*) FROM leads WHERE program_id = $1 AND status = 'credited'",
        owner.programId);
  }

  @AfterAll
  static void stop() {
    facts.close();
    engine.close();
  }

  private static String click(JsonObject link, Instant at, String source, boolean repeat) {
    long linkId = Long.parseLong(link.getString("id"));
    String id = facts.clickId(linkId, at);
    facts.send(new CloudEvent(EventIds.click(id), EventTypes.CLICK_RECORDED, owner.programId, at, new JsonObject()
        .put("click_id", id).put("link_id", linkId).put("campaign_id", Long.parseLong(link.getString("campaign_id")))
        .put("affiliate_id", Long.parseLong(link.getString("affiliate_id"))).put("creditable", true)
        .put("source", source).put("flags", new JsonArray(repeat ? List.of("duplicate") : List.of()))));
    return id;
  }

  private static void sale(String transactionId, String clickId, long amountMinor, Instant at) {
    facts.send(Facts.postback(owner.programId, at, new JsonObject().put("transaction_id", transactionId)
        .put("click_id", clickId).put("amount_minor", amountMinor).put("currency", "INR")));
  }

  private static JsonObject analytics(String query) {
    HttpResponse<String> r = owner.ownerGet("/analytics" + query);
    assertEquals(200, r.statusCode(), r.body());
    return Http.json(r);
  }

  private static JsonArray money(long amountCents) {
    return new JsonArray().add(new JsonObject().put("currency", "INR").put("amount_cents", amountCents));
  }

  @Test
  void totalsOfTheLastThirtyDaysAreExact() {
    JsonObject body = analytics("");
    LocalDate today = LocalDate.now(KOLKATA);
    assertEquals("30d", body.getString("range"));
    assertEquals("Asia/Kolkata", body.getString("time_zone"));
    assertEquals(today.minusDays(29).toString(), body.getString("from"));
    assertEquals(today.toString(), body.getString("to"));
    JsonObject totals = body.getJsonObject("totals");
    assertEquals(4, totals.getLong("clicks"));
    assertEquals(3, totals.getLong("unique_clicks"));
    assertEquals(1, totals.getLong("leads"));
    assertEquals(3, totals.getLong("conversions"));
    assertEquals("0.7500", totals.getString("conversion_rate"));
    assertEquals(money(10_000 + 5_000 + 2_000 - 1_000), totals.getJsonArray("revenue"));
    assertEquals(money(nonVoidedCommissions()), totals.getJsonArray("commissions"));
    // One click 40 days ago: the prior period had 1 click and nothing else.
    JsonObject trends = body.getJsonObject("trends");
    assertEquals("300.0", trends.getString("clicks"));
    assertNull(trends.getValue("leads"));
    assertNull(trends.getValue("conversions"));
  }

  private static long nonVoidedCommissions() {
    long sum = 0;
    for (Object o : Http.json(owner.ownerGet("/commissions?limit=100")).getJsonArray("data")) {
      JsonObject c = (JsonObject) o;
      if (!"voided".equals(c.getString("status"))) {
        sum += c.getLong("amount_cents");
      }
    }
    assertTrue(sum > 0);
    return sum;
  }

  @Test
  void daysAreCutInTheProgramsTimeZoneWithZeroDaysIncluded() {
    JsonArray daily = analytics("?range=30d").getJsonArray("daily");
    assertEquals(30, daily.size());
    LocalDate kolkataDay = LATE_EVENING.atZone(KOLKATA).toLocalDate();
    LocalDate utcDay = LATE_EVENING.atZone(ZoneOffset.UTC).toLocalDate();
    assertEquals(utcDay.plusDays(1), kolkataDay);
    assertEquals(new JsonObject().put("date", kolkataDay.toString()).put("clicks", 1L).put("leads", 0L)
        .put("conversions", 1L), day(daily, kolkataDay));
    assertEquals(new JsonObject().put("date", utcDay.toString()).put("clicks", 0L).put("leads", 0L)
        .put("conversions", 0L), day(daily, utcDay));
    long zeroDays = daily.stream().map(JsonObject.class::cast).filter(d -> d.getLong("clicks") == 0).count();
    assertTrue(zeroDays >= 27, daily.encode());
    assertEquals(4, daily.stream().map(JsonObject.class::cast).mapToLong(d -> d.getLong("clicks")).sum());
    JsonArray monthly = analytics("?range=30d").getJsonArray("monthly");
    assertEquals(4, monthly.stream().map(JsonObject.class::cast).mapToLong(m -> m.getLong("clicks")).sum());
    assertEquals(LocalDate.now(KOLKATA).toString().substring(0, 7),
        monthly.getJsonObject(monthly.size() - 1).getString("month"));
  }

  private static JsonObject day(JsonArray daily, LocalDate date) {
    return daily.stream().map(JsonObject.class::cast).filter(d -> date.toString().equals(d.getString("date")))
        .findFirst().orElseThrow(() -> new AssertionError(date + " missing from " + daily.encode()));
  }

  @Test
  void breakdownsBySourceAffiliateAndCampaign() {
    JsonObject body = analytics("?range=30d");
    // As many clicks each: the one with more sales first. The sale through the edge has no source.
    assertEquals(new JsonArray()
        .add(new JsonObject().put("source", "newsletter").put("clicks", 2L).put("conversions", 2L))
        .add(new JsonObject().put("source", "(none)").put("clicks", 2L).put("conversions", 1L)),
        body.getJsonArray("sources"));
    // Affiliate X brought campaign A's facts, Y campaign B's.
    assertEquals(new JsonArray().add(breakdown("affiliate_id", affiliateX, "Jane Doe", 3, 2, 11_000))
        .add(breakdown("affiliate_id", affiliateY, "Yann Yu", 1, 1, 5_000)), body.getJsonArray("top_affiliates"));
    assertEquals(new JsonArray().add(breakdown("campaign_id", campaignA, "Alpha", 3, 2, 11_000))
        .add(breakdown("campaign_id", campaignB, "Beta", 1, 1, 5_000)), body.getJsonArray("campaigns"));
  }

  private static JsonObject breakdown(String idField, String id, String name, long clicks, long conversions,
      long revenueCents) {
    return new JsonObject().put(idField, id).put("name", name).put("clicks", clicks).put("conversions", conversions)
        .put("revenue", money(revenueCents));
  }

  @Test
  void campaignFilterKeepsOnlyThatCampaign() {
    JsonObject body = analytics("?range=30d&campaign_id=" + campaignB);
    JsonObject totals = body.getJsonObject("totals");
    assertEquals(1, totals.getLong("clicks"));
    assertEquals(1, totals.getLong("leads"));
    assertEquals(1, totals.getLong("conversions"));
    assertEquals("1.0000", totals.getString("conversion_rate"));
    assertEquals(money(5_000), totals.getJsonArray("revenue"));
    // Campaign B had nothing in the prior period.
    assertNull(body.getJsonObject("trends").getValue("clicks"));
    assertEquals(1, body.getJsonArray("campaigns").size());
    assertEquals(campaignB, body.getJsonArray("campaigns").getJsonObject(0).getString("campaign_id"));
    assertEquals(1, body.getJsonArray("top_affiliates").size());
    assertEquals(affiliateY, body.getJsonArray("top_affiliates").getJsonObject(0).getString("affiliate_id"));
  }

  @Test
  void rangeAllStartsAtTheFirstFactAndHasNoTrends() {
    JsonObject body = analytics("?range=all");
    LocalDate first = FORTY_DAYS_AGO.atZone(KOLKATA).toLocalDate();
    LocalDate today = LocalDate.now(KOLKATA);
    assertEquals(first.toString(), body.getString("from"));
    assertEquals(5, body.getJsonObject("totals").getLong("clicks"));
    assertEquals(new JsonObject().putNull("clicks").putNull("leads").putNull("conversions"),
        body.getJsonObject("trends"));
    assertEquals(ChronoUnit.DAYS.between(first, today) + 1, body.getJsonArray("daily").size());
    assertEquals(first.toString(), body.getJsonArray("daily").getJsonObject(0).getString("date"));
  }

  @Test
  void anotherProgramSeesNoneOfIt() {
    Fixtures other = new Fixtures(engine, "USD");
    HttpResponse<String> r = other.ownerGet("/analytics?range=all");
    assertEquals(200, r.statusCode(), r.body());
    JsonObject body = Http.json(r);
    JsonObject totals = body.getJsonObject("totals");
    assertEquals(0, totals.getLong("clicks"));
    assertEquals(0, totals.getLong("conversions"));
    assertNull(totals.getValue("conversion_rate"));
    assertEquals(new JsonArray(), totals.getJsonArray("revenue"));
    assertEquals(new JsonArray(), body.getJsonArray("top_affiliates"));
    assertEquals(new JsonArray(), body.getJsonArray("sources"));
    // Its key naming this program's campaign still sees nothing of it.
    JsonObject filtered = Http.json(other.ownerGet("/analytics?campaign_id=" + campaignA));
    assertEquals(0, filtered.getJsonObject("totals").getLong("clicks"));
    assertEquals(new JsonArray(), filtered.getJsonArray("campaigns"));
  }

  @Test
  void anUnknownRangeIsRefused() {
    HttpResponse<String> r = owner.ownerGet("/analytics?range=7d");
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(Http.json(r).getString("error").contains("range"), r.body());
  }

  @Test
  void affiliateKeysMayNotReadTheDashboardButReportingKeysMay() {
    String ak = engine.affiliateKey(owner.programId, Long.parseLong(affiliateX));
    assertEquals(403, Http.get(engine.apiUrl() + "/analytics", "X-Api-Key", ak).statusCode());
    String reporting = engine.ownerKey(owner.programId, "reporting");
    assertEquals(200, Http.get(engine.apiUrl() + "/analytics", "X-Api-Key", reporting).statusCode());
  }
}
