package io.tracklane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.Sql;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GET /r/{code} and GET /i/{code} through HTTP, against the real services. */
@Timeout(120)
class RedirectEdgeTest {
  private static final String CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      + "Chrome/120.0 Safari/537.36";
  private static TestEngine engine;
  private static Fixtures f;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(RedirectEdgeTest.class, Map.of("edge.trusted_proxies", "127.0.0.1"));
    f = new Fixtures(engine, "EUR");
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private static String link(JsonObject campaign) {
    JsonObject affiliate = f.affiliate(campaign.getString("id"), "a" + System.nanoTime() + "@partner.example");
    return f.link(campaign.getString("id"), affiliate.getString("id")).getString("code");
  }

  private static HttpResponse<String> redirect(String code, String query, String userAgent) {
    return Http.get(engine.edgeUrl() + "/r/" + code + query, "User-Agent", userAgent);
  }

  @Test
  void macrosAreFilledUrlEncodedAndSubsAndSourceAreKeptOnTheClick() {
    JsonObject campaign = f.campaign(new JsonObject()
        .put("landing_page_url", "https://shop.example/land?c={click_id}&s1={sub1}&src={source}&a={affiliate_id}"));
    String code = link(campaign);
    HttpResponse<String> r = redirect(code, "?sub1=spring%20sale%26x&sub2=b&sub5=e&source=news", CHROME);
    assertEquals(302, r.statusCode(), r.body());
    String location = r.headers().firstValue("Location").orElseThrow();
    Map<String, String> q = Fixtures.query(location);
    assertEquals("spring sale&x", q.get("s1"));
    assertEquals("news", q.get("src"));
    assertFalse(q.containsKey("click_id"), "click_id is not appended when the URL has the macro");
    Map<String, Object> click = Sql.awaitRows(engine, 1, "SELECT * FROM clicks WHERE click_id = ?", q.get("c")).get(0);
    assertEquals("spring sale&x", click.get("sub1"));
    assertEquals("b", click.get("sub2"));
    assertEquals("e", click.get("sub5"));
    assertEquals("news", click.get("source"));
    assertEquals(true, click.get("creditable"));
  }

  @Test
  void aLinkCarriesItsOwnDestinationOnlyOnTheCampaignsAllowedDomains() {
    JsonObject campaign = f.campaign(new JsonObject().put("allowed_domains", new JsonArray().add("partner-shop.example")));
    String affiliate = f.affiliate(campaign.getString("id"), "d" + System.nanoTime() + "@p.example").getString("id");
    JsonObject ok = new JsonObject().put("campaign_id", campaign.getString("id")).put("affiliate_id", affiliate);
    JsonObject created = f.create("/affiliate_links",
        ok.copy().put("destination_url", "https://deals.partner-shop.example/x?s={sub1}"), 201);
    String location = redirect(created.getString("code"), "?sub1=a", CHROME).headers().firstValue("Location")
        .orElseThrow();
    assertTrue(location.startsWith("https://deals.partner-shop.example/x?s=a&click_id="), location);
    for (String hostile : List.of("https://evil.example/", "//evil.example/x", "https://partner-shop.example@evil.example/",
        "javascript:alert(1)", "https://partner-shop.example\\@evil.example/", "https://{sub1}/x",
        "https://evilpartner-shop.example/", "https://partner-shop.example/\r\nSet-Cookie: a=b")) {
      f.create("/affiliate_links", ok.copy().put("destination_url", hostile), 400);
    }
  }

  @Test
  void hostileOrOverlongValuesInEveryParameterNeverLeaveTheHostNorInjectAHeader() {
    String code = link(f.campaign(new JsonObject()
        .put("landing_page_url", "https://shop.example/{sub1}/{sub2}?s3={sub3}&s4={sub4}&s5={sub5}#{source}")));
    List<String> hostile = List.of("//evil.example", "https://good.example@evil.example", "\\\\evil.example",
        "javascript:alert(1)", "x\r\nSet-Cookie: injected=1", "\r\n\r\n<html>", "@evil.example:80",
        "%2F%2Fevil.example", "é\u0000\u2028", "x".repeat(3000));
    for (String name : List.of("sub1", "sub2", "sub3", "sub4", "sub5", "source")) {
      for (String value : hostile) {
        HttpResponse<String> r = redirect(code, "?" + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8),
            CHROME);
        assertEquals(302, r.statusCode(), name + "=" + value);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertEquals("shop.example", URI.create(location).getHost(), location);
        assertFalse(location.chars().anyMatch(c -> c < 0x21 || c == '\\'), location);
        assertTrue(location.length() < 8192);
        assertTrue(r.headers().allValues("Set-Cookie").stream().noneMatch(c -> c.contains("injected")));
      }
    }
    int port = engine.config().http().edgePort();
    assertEquals(414, Http.rawStatus(port, "GET /r/" + code + "?sub1=" + "y".repeat(20_000)));
    assertEquals(400, Http.rawStatus(port, "GET /r/" + code + "?sub1=%zz"));
  }

  @Test
  void anUnknownCodeIs404() {
    HttpResponse<String> r = redirect("no-such-code", "", CHROME);
    assertEquals(404, r.statusCode());
    assertEquals("Link not found.", Http.json(r).getString("error"));
  }

  @Test
  void aDisabledLinkAffiliateCampaignOrPendingEnrolmentGoesToTheFallbackAndIsNotCreditable() {
    JsonObject campaign = f.campaign(new JsonObject());
    String disabledLink = link(campaign);
    JsonObject linkObj = Http.json(f.ownerGet("/affiliate_links?limit=100")).getJsonArray("data").stream()
        .map(JsonObject.class::cast).filter(l -> disabledLink.equals(l.getString("code"))).findFirst().orElseThrow();
    put("/affiliate_links/" + linkObj.getString("id"), new JsonObject().put("state", "disabled"));

    JsonObject otherCampaign = f.campaign(new JsonObject());
    JsonObject affiliate = f.affiliate(otherCampaign.getString("id"), "off" + System.nanoTime() + "@p.example");
    String disabledAffiliate = f.link(otherCampaign.getString("id"), affiliate.getString("id")).getString("code");
    put("/affiliates/" + affiliate.getString("id"), new JsonObject().put("state", "disabled"));

    JsonObject disabledCampaign = f.campaign(new JsonObject());
    String inDisabledCampaign = link(disabledCampaign);
    put("/campaigns/" + disabledCampaign.getString("id"), new JsonObject().put("state", "disabled"));

    JsonObject approval = f.campaign(new JsonObject().put("auto_approve_affiliates", false));
    JsonObject pending = f.create("/affiliates", new JsonObject().put("campaign_id", approval.getString("id"))
        .put("email", "p" + System.nanoTime() + "@p.example"), 201);
    String pendingCode = f.link(approval.getString("id"), pending.getString("id")).getString("code");

    for (String code : List.of(disabledLink, disabledAffiliate, inDisabledCampaign, pendingCode)) {
      HttpResponse<String> r = redirect(code, "", CHROME);
      assertEquals(302, r.statusCode(), code);
      assertEquals("https://fallback.example/", r.headers().firstValue("Location").orElseThrow(), code);
      assertTrue(r.headers().firstValue("Set-Cookie").isEmpty(), code);
      Map<String, Object> click = Sql.awaitRows(engine, 1,
          "SELECT c.creditable FROM clicks c JOIN links l ON l.id = c.link_id WHERE l.code = ?", code).get(0);
      assertEquals(false, click.get("creditable"), code);
    }
  }

  @Test
  void theImpressionPixelIsA43ByteGifThatIsNeverCached() {
    String code = link(f.campaign(new JsonObject()));
    for (String path : List.of("/i/" + code, "/i/unknown-code")) {
      HttpResponse<String> r = Http.get(engine.edgeUrl() + path);
      assertEquals(200, r.statusCode());
      assertEquals("image/gif", r.headers().firstValue("Content-Type").orElseThrow());
      assertEquals("43", r.headers().firstValue("Content-Length").orElseThrow());
      assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
    }
  }

  @Test
  void botsAreRedirectedButFlaggedAndARepeatVisitIsFlaggedNotUnique() {
    String code = link(f.campaign(new JsonObject()));
    HttpResponse<String> bot = redirect(code, "", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)");
    assertEquals(302, bot.statusCode());
    assertTrue(bot.headers().firstValue("Location").orElseThrow().startsWith("https://shop.example/land?click_id="));
    String first = Fixtures.query(redirect(code, "", CHROME).headers().firstValue("Location").orElseThrow())
        .get("click_id");
    String second = Fixtures.query(redirect(code, "", CHROME).headers().firstValue("Location").orElseThrow())
        .get("click_id");
    String botClick = Fixtures.query(bot.headers().firstValue("Location").orElseThrow()).get("click_id");
    assertEquals(List.of("bot"), flags(botClick));
    assertEquals(List.of(), flags(first));
    assertEquals(List.of("duplicate"), flags(second));
    String metrics = Http.get(engine.opsUrl() + "/metrics").body();
    assertTrue(metrics.contains("tracklane_bot_clicks_total"), metrics);
    assertTrue(metrics.contains("tracklane_clicks_repeated_total"), metrics);
  }

  @Test
  void behindATrustedProxyVisitorsAreToldApartByTheirForwardedAddress() {
    String code = link(f.campaign(new JsonObject()));
    List<String> clicks = List.of("198.51.100.1", "198.51.100.2", "198.51.100.1").stream()
        .map(ip -> Http.get(engine.edgeUrl() + "/r/" + code, "User-Agent", CHROME, "X-Forwarded-For", ip))
        .map(r -> Fixtures.query(r.headers().firstValue("Location").orElseThrow()).get("click_id")).toList();
    assertEquals(List.of(), flags(clicks.get(0)));
    assertEquals(List.of(), flags(clicks.get(1)));
    assertEquals(List.of("duplicate"), flags(clicks.get(2)));
    assertEquals("198.51.100.2",
        Sql.awaitRows(engine, 1, "SELECT ip FROM clicks WHERE click_id = ?", clicks.get(1)).get(0).get("ip"));
  }

  private static Object flags(String clickId) {
    return Sql.awaitRows(engine, 1, "SELECT flags FROM clicks WHERE click_id = ?", clickId).get(0).get("flags");
  }

  private static void put(String path, JsonObject body) {
    HttpResponse<String> r = Http.put(engine.apiUrl() + path, "application/json", body.encode(), "X-Api-Key",
        f.ownerKey);
    assertEquals(200, r.statusCode(), r.body());
  }
}
