package io.tracklane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.cli.ProgramAdmin;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The edge's browser endpoints through HTTP, against the real services: /t.js, /t/click, /c.json, HEAD. */
@Timeout(120)
class BrowserEdgeTest {
  /** The bound the README states for tracklane.js, gzipped. */
  private static final int MAX_GZIPPED_BYTES = 2048;
  private static final String CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      + "Chrome/120.0 Safari/537.36";
  private static TestEngine engine;
  private static Fixtures f;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(BrowserEdgeTest.class, Map.of());
    f = new Fixtures(engine, "EUR");
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private static String link(JsonObject campaign) {
    String affiliate = f.affiliate(campaign.getString("id"), "a" + System.nanoTime() + "@partner.example")
        .getString("id");
    return f.link(campaign.getString("id"), affiliate).getString("code");
  }

  private static String click(String code) {
    HttpResponse<String> r = Http.get(engine.edgeUrl() + "/r/" + code, "User-Agent", CHROME);
    assertEquals(302, r.statusCode(), r.body());
    return Fixtures.query(r.headers().firstValue("Location").orElseThrow()).get("click_id");
  }

  private static HttpResponse<String> convert(JsonObject body, String origin) {
    return origin == null ? Http.post(engine.edgeUrl() + "/c.json", "text/plain", body.encode())
        : Http.post(engine.edgeUrl() + "/c.json", "text/plain", body.encode(), "Origin", origin);
  }

  private static JsonObject rejected(String transactionId) {
    HttpResponse<String> r = Http.poll(Duration.ofSeconds(30),
        x -> x.statusCode() == 200 && !Http.json(x).getJsonArray("data").isEmpty(),
        engine.apiUrl() + "/rejected_events?transaction_id=" + transactionId, "X-Api-Key", f.ownerKey);
    return Http.json(r).getJsonArray("data").getJsonObject(0);
  }

  @Test
  void theScriptIsSmallCacheableAndHasAModuleVariant() throws Exception {
    HttpResponse<String> r = Http.get(engine.edgeUrl() + "/t.js");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/javascript"));
    assertEquals("public, max-age=3600", r.headers().firstValue("Cache-Control").orElseThrow());
    String etag = r.headers().firstValue("ETag").orElseThrow();
    assertTrue(r.body().contains("sendBeacon") && r.body().contains("keepalive"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    assertTrue(out.size() < MAX_GZIPPED_BYTES, "tracklane.js is " + out.size() + " bytes gzipped");

    HttpResponse<byte[]> gzipped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(engine.edgeUrl() + "/t.js")).header("Accept-Encoding", "gzip").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElseThrow());
    assertTrue(gzipped.body().length < MAX_GZIPPED_BYTES);

    assertEquals(304, Http.get(engine.edgeUrl() + "/t.js", "If-None-Match", etag).statusCode());
    HttpResponse<String> module = Http.get(engine.edgeUrl() + "/t.js?module");
    assertTrue(module.body().contains("import.meta.url") && module.body().contains("export default"));
    assertFalse(r.body().contains("import.meta"));
    assertFalse(etag.equals(module.headers().firstValue("ETag").orElseThrow()));
  }

  @Test
  void clickWindowAndCorsFollowTheCampaignsOrigins() {
    JsonObject campaign = f.campaign(new JsonObject().put("landing_page_url", "https://www.shop.example/land")
        .put("cookie_window_days", 10).put("client_origins", new io.vertx.core.json.JsonArray()
            .add("https://www.shop.example").add("https://m.shop.example/")));
    assertEquals(new io.vertx.core.json.JsonArray().add("https://www.shop.example").add("https://m.shop.example"),
        campaign.getJsonArray("client_origins"));
    String clickId = click(link(campaign));
    HttpResponse<String> ok = Http.get(engine.edgeUrl() + "/t/click?click_id=" + clickId,
        "Origin", "https://m.shop.example");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("https://m.shop.example", ok.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
    long maxAge = Http.json(ok).getLong("max_age");
    assertTrue(maxAge > 10 * 86400 - 60 && maxAge <= 10 * 86400, "max_age " + maxAge);
    HttpResponse<String> foreign = Http.get(engine.edgeUrl() + "/t/click?click_id=" + clickId,
        "Origin", "https://evil.example");
    assertEquals(403, foreign.statusCode());
    assertTrue(foreign.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    assertEquals(0L, Http.json(Http.get(engine.edgeUrl() + "/t/click?click_id=AAAAforgedforgedforgedforged00"))
        .getLong("max_age"));
    HttpResponse<String> bad = Http.post(engine.apiUrl() + "/campaigns", "application/json", new JsonObject()
        .put("name", "x").put("landing_page_url", "https://shop.example/").put("reward_type", "percent")
        .put("commission_percent", 5).put("client_origins", new io.vertx.core.json.JsonArray()
            .add("https://shop.example/path")).encode(), "X-Api-Key", f.ownerKey);
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("client_origins"), bad.body());
  }

  @Test
  void refusedBrowserConversionsBecomeRejectedEventsWithTheirReason() {
    JsonObject accepting = f.campaign(new JsonObject().put("landing_page_url", "https://shop.example/land")
        .put("accept_client_conversions", true));
    String clickId = click(link(accepting));
    HttpResponse<String> foreign = convert(new JsonObject().put("click_id", clickId)
        .put("transaction_id", "B-origin").put("amount", "10.00").put("currency", "EUR"), "https://evil.example");
    assertEquals(200, foreign.statusCode(), foreign.body());
    assertEquals("refused", Http.json(foreign).getString("status"));
    assertEquals("origin_not_allowed", rejected("B-origin").getString("reason"));

    JsonObject closed = f.campaign(new JsonObject().put("landing_page_url", "https://shop.example/land"));
    HttpResponse<String> notAccepted = convert(new JsonObject().put("click_id", click(link(closed)))
        .put("transaction_id", "B-closed").put("amount", "10.00"), "https://shop.example");
    assertEquals("refused", Http.json(notAccepted).getString("status"), notAccepted.body());
    assertEquals("client_conversions_not_accepted", rejected("B-closed").getString("reason"));

    HttpResponse<String> forged = Http.get(engine.edgeUrl() + "/c.gif?transaction_id=B-forged&amount=1.00"
        + "&click_id=AAAAforgedforgedforgedforged00&program_id=" + f.programId);
    assertEquals(200, forged.statusCode());
    assertEquals("forged_click_id", rejected("B-forged").getString("reason"));

    assertEquals(400, convert(new JsonObject().put("transaction_id", "B-x").put("amount", 10), null).statusCode());
    assertEquals(400, convert(new JsonObject().put("transaction_id", "B-x").put("amount", "1").put("extra", "1"),
        null).statusCode());
    assertEquals(400, Http.post(engine.edgeUrl() + "/c.json", "text/plain", "[1]").statusCode());

    HttpResponse<String> accepted = convert(new JsonObject().put("click_id", clickId)
        .put("transaction_id", "B-ok").put("amount", "12.34").put("currency", "EUR"), "https://shop.example");
    assertEquals("accepted", Http.json(accepted).getString("status"), accepted.body());
    assertEquals("https://shop.example", accepted.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
  }

  @Test
  void aHeadClickIsABotAndIsCreditedOnlyWhereTheCampaignOptsOut() throws Exception {
    JsonObject strict = f.campaign(new JsonObject().put("landing_page_url", "https://shop.example/land"));
    JsonObject lenient = f.campaign(new JsonObject().put("landing_page_url", "https://shop.example/land")
        .put("credit_bot_clicks", true));
    assertEquals(true, lenient.getBoolean("credit_bot_clicks"));
    double bots = engine.metric("tracklane_bot_clicks_total");
    String strictClick = headClick(link(strict));
    String lenientClick = headClick(link(lenient));
    Http.sleep(500);
    assertEquals(bots + 2, engine.metric("tracklane_bot_clicks_total"), 0.0);
    assertEquals(200, f.postback("transaction_id=H-strict&amount=10.00&click_id=" + strictClick).statusCode());
    assertEquals(200, f.postback("transaction_id=H-lenient&amount=10.00&click_id=" + lenientClick).statusCode());
    assertEquals("bot_click", rejected("H-strict").getString("reason"));
    // Only this test's campaigns are counted: other tests of the class credit sales in the program too.
    HttpResponse<String> credited = Http.poll(Duration.ofSeconds(30),
        x -> x.statusCode() == 200 && Http.json(x).getJsonArray("data").size() == 1,
        engine.apiUrl() + "/commissions?campaign_id=" + lenient.getString("id"), "X-Api-Key", f.ownerKey);
    assertEquals("pending", Http.json(credited).getJsonArray("data").getJsonObject(0).getString("status"),
        credited.body());
    HttpResponse<String> strictOnes = Http.get(engine.apiUrl() + "/commissions?campaign_id=" + strict.getString("id"),
        "X-Api-Key", f.ownerKey);
    assertEquals(0, Http.json(strictOnes).getJsonArray("data").size(), strictOnes.body());
  }

  @Test
  void aPrefetchOrPreviewTheClientAnnouncesIsCountedAsABotNotAClick() {
    String code = link(f.campaign(new JsonObject().put("landing_page_url", "https://shop.example/land")));
    double bots = engine.metric("tracklane_bot_clicks_total");
    double clicks = engine.metric("tracklane_clicks_total");
    assertEquals(302, Http.get(engine.edgeUrl() + "/r/" + code, "User-Agent", CHROME, "Sec-Purpose", "prefetch")
        .statusCode());
    assertEquals(302, Http.get(engine.edgeUrl() + "/r/" + code, "User-Agent", CHROME, "X-Purpose", "preview")
        .statusCode());
    assertEquals(302, Http.get(engine.edgeUrl() + "/r/" + code, "User-Agent", "WhatsApp/2.23.20.0 A").statusCode());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (engine.metric("tracklane_bot_clicks_total") < bots + 3 && System.nanoTime() < deadline) {
      Http.sleep(100);
    }
    assertEquals(bots + 3, engine.metric("tracklane_bot_clicks_total"), 0.0);
    assertEquals(clicks, engine.metric("tracklane_clicks_total"), 0.0);
  }

  @Test
  void theCookieDomainIsTheProgramsWhenTheEdgeIsUnderIt() throws Exception {
    JsonObject campaign = f.campaign(new JsonObject().put("landing_page_url", "https://shop.example/land"));
    String code = link(campaign);
    TestEngine.await(new ProgramAdmin(engine.engine().pool()).setCookieDomain(f.programId, "shop.example"));
    // The edge caches links for up to 30 s; the first redirect of this link loads it after the change.
    assertTrue(rawRedirect(code, "track.shop.example").contains("; Domain=shop.example;"));
    assertFalse(rawRedirect(code, "127.0.0.1").contains("Domain="));
  }

  /** The redirect's whole answer, asked with {@code host} as the Host header. */
  private static String rawRedirect(String code, String host) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", engine.config().http().edgePort())) {
      socket.getOutputStream().write(("GET /r/" + code + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + CHROME
          + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  private static String headClick(String code) throws Exception {
    HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(engine.edgeUrl() + "/r/" + code)).method("HEAD", HttpRequest.BodyPublishers.noBody())
        .header("User-Agent", CHROME).build(), HttpResponse.BodyHandlers.discarding());
    assertEquals(302, r.statusCode());
    return Fixtures.query(r.headers().firstValue("Location").orElseThrow()).get("click_id");
  }
}
