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
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Days and months are cut exactly in every program time zone: clicks one second either side of a
 * local midnight and of a month's start, in half- and quarter-hour zones (Asia/Kolkata +5:30,
 * Asia/Kathmandu +5:45, Pacific/Chatham +12:45/+13:45) and on both sides of the DST changes of
 * America/New_York and Pacific/Auckland (23- and 25-hour days), land on the right day and month of
 * GET /reports.
 */
class StatsTimeZoneTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestEngine engine;
  private static Facts facts;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(StatsTimeZoneTest.class);
    facts = new Facts(engine);
  }

  @AfterAll
  static void stop() {
    facts.close();
    engine.close();
  }

  /** A zone and the local days whose edges are tested (each day's first and last second, and the next day's first). */
  static Stream<Arguments> zones() {
    return Stream.of(
        Arguments.of("Asia/Kolkata", List.of("2026-06-30", "2026-10-31")),
        Arguments.of("Asia/Kathmandu", List.of("2026-06-30", "2026-10-31")),
        Arguments.of("Pacific/Chatham", List.of("2026-04-05", "2026-09-27", "2026-06-30")),
        // DST ends on 2026-11-01 (25 hours) and starts on 2026-03-08 (23 hours).
        Arguments.of("America/New_York", List.of("2026-03-08", "2026-09-30", "2026-11-01")),
        // DST ends on 2026-04-05 (25 hours) and starts on 2026-09-27 (23 hours).
        Arguments.of("Pacific/Auckland", List.of("2026-04-05", "2026-09-27", "2026-08-31")));
  }

  @ParameterizedTest
  @MethodSource("zones")
  void daysAndMonthsAreCutInTheProgramsZone(String zoneName, List<String> days) {
    ZoneId zone = ZoneId.of(zoneName);
    Fixtures f = new Fixtures(engine, "EUR", zoneName);
    String campaign = f.campaign(new JsonObject().put("currency", "EUR")).getString("id");
    String affiliate = f.affiliate(campaign, "tz@partner.example").getString("id");
    JsonObject link = f.link(campaign, affiliate);
    List<Instant> clicks = new ArrayList<>();
    for (String d : days) {
      LocalDate day = LocalDate.parse(d);
      Instant start = day.atStartOfDay(zone).toInstant();
      Instant next = day.plusDays(1).atStartOfDay(zone).toInstant();
      clicks.add(start.minusSeconds(1));
      clicks.add(start);
      clicks.add(next.minusSeconds(1));
      clicks.add(next);
    }
    for (Instant at : clicks) {
      click(f, link, at);
    }
    facts.awaitScalar(clicks.size(), WAIT,
        "SELECT coalesce(sum(clicks), 0)::bigint FROM stats_rollups WHERE program_id = $1", f.programId);

    Map<String, Long> expectedDays = new TreeMap<>();
    Map<String, Long> expectedMonths = new TreeMap<>();
    for (Instant at : clicks) {
      LocalDateTime local = LocalDateTime.ofInstant(at, zone);
      expectedDays.merge(local.toLocalDate().toString(), 1L, Long::sum);
      expectedMonths.merge(YearMonth.from(local).toString(), 1L, Long::sum);
    }
    LocalDate from = LocalDate.parse(expectedDays.keySet().iterator().next());
    LocalDate to = LocalDate.parse(((TreeMap<String, Long>) expectedDays).lastKey());
    Map<String, Long> actualDays = new TreeMap<>();
    for (String d : days) {
      LocalDate day = LocalDate.parse(d);
      actualDays.putAll(counts(f, "day", day.minusDays(1), day.plusDays(1)));
    }
    assertEquals(expectedDays, actualDays, zoneName + " days");
    assertEquals(expectedMonths, counts(f, "month", from, to), zoneName + " months");
    // Every day's edges as the test meant them: the last second of a day is on it, the next second is not.
    for (String d : days) {
      assertEquals(2L, expectedDays.get(d), zoneName + " " + d + " holds its first and last second");
    }
  }

  private static Map<String, Long> counts(Fixtures f, String groupBy, LocalDate from, LocalDate to) {
    HttpResponse<String> r = f.ownerGet("/reports?group_by=" + groupBy + "&limit=100&from=" + from + "&to=" + to);
    assertEquals(200, r.statusCode(), r.body());
    Map<String, Long> out = new TreeMap<>();
    JsonArray data = Http.json(r).getJsonArray("data");
    for (Object o : data) {
      JsonObject row = (JsonObject) o;
      if (row.getLong("clicks") > 0) {
        out.put(row.getString("key"), row.getLong("clicks"));
      }
    }
    return out;
  }

  private static void click(Fixtures f, JsonObject link, Instant at) {
    long linkId = Long.parseLong(link.getString("id"));
    String id = facts.clickId(linkId, at);
    facts.send(new CloudEvent(EventIds.click(id), EventTypes.CLICK_RECORDED, f.programId, at, new JsonObject()
        .put("click_id", id).put("link_id", linkId).put("campaign_id", Long.parseLong(link.getString("campaign_id")))
        .put("affiliate_id", Long.parseLong(link.getString("affiliate_id"))).put("creditable", true)
        .put("flags", new JsonArray())));
  }
}
