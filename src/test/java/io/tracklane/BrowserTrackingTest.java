package io.tracklane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * tracklane.js, the pixels and bot handling in a real browser: Debian's Chromium, headless, driven by
 * playwright-core (src/test/browser/tracking.cjs). The advertiser's site is served here on 127.0.0.1,
 * the engine's edge is reached as localhost: two sites, as on the web. Installs what is missing
 * through scripts/browser.sh; never skipped. Failed scenarios leave screenshots in
 * target/browser-screenshots.
 */
@Timeout(300)
class BrowserTrackingTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Path PLAYWRIGHT = ROOT.resolve(".tracklane/npm/node_modules/playwright-core");
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static TestEngine engine;
  private static Fixtures f;
  private static HttpServer site;
  private static String edge;
  private static String siteUrl;

  @BeforeAll
  static void start() throws Exception {
    install();
    engine = TestEngine.start(BrowserTrackingTest.class, Map.of());
    f = new Fixtures(engine, "EUR");
    edge = "http://localhost:" + engine.config().http().edgePort();
    site = HttpServer.create(new InetSocketAddress("127.0.0.1", TestEngine.freePort()), 0);
    siteUrl = "http://127.0.0.1:" + site.getAddress().getPort();
    site.createContext("/", exchange -> {
      String page = pages(exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery());
      byte[] body = (page == null ? "not found" : page).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(page == null ? 404 : 200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    site.start();
  }

  @AfterAll
  static void stop() {
    if (site != null) {
      site.stop(0);
    }
    if (engine != null) {
      engine.close();
    }
  }

  /** Chromium and playwright-core, installed by the project's script when either is missing. */
  private static void install() throws IOException, InterruptedException {
    if (new File(CHROMIUM).canExecute() && Files.isDirectory(PLAYWRIGHT)) {
      return;
    }
    Process p = new ProcessBuilder("bash", "scripts/browser.sh").inheritIO().start();
    assertTrue(p.waitFor(15, TimeUnit.MINUTES), "scripts/browser.sh did not finish");
    assertEquals(0, p.exitValue(), "scripts/browser.sh failed");
  }

  /** The advertiser's pages; the thank-you pages would be rendered by its shop with its order. */
  private static String pages(String path, String rawQuery) {
    Map<String, String> q = rawQuery == null ? Map.of() : Fixtures.query("http://x/?" + rawQuery);
    String script = "<script src=\"" + edge + "/t.js\"></script>";
    return switch (path) {
      case "/landing.html" -> "<!doctype html><title>landing</title>" + script + "<h1>Welcome</h1>";
      case "/thanks.html" -> "<!doctype html><title>thanks</title>" + script
          + "<script>window.__sent = tracklane.conversion({transaction_id: 'T-script', amount: '49.90', "
          + "currency: 'EUR'});</script><h1>Thank you</h1>";
      case "/thanks-module.html" -> "<!doctype html><title>thanks</title><script type=\"module\">import tracklane "
          + "from '" + edge + "/t.js?module'; window.__sent = tracklane.conversion({transaction_id: 'T-headless', "
          + "amount: '15.00', currency: 'EUR'});</script><h1>Thank you</h1>";
      case "/thanks-pixel.html" -> "<!doctype html><title>thanks</title><img id=\"px\" alt=\"\" src=\"" + edge
          + "/c.gif?program_id=" + f.programId + "&transaction_id=" + q.get("tx") + "&amount=20.00&currency=EUR"
          + (q.containsKey("cid") ? "&click_id=" + q.get("cid") : "") + "\"><h1>Thank you</h1>";
      case "/creative.html" -> "<!doctype html><title>creative</title>" + script
          + "<script>window.__calls = [tracklane.impression('" + impressionCode + "'), tracklane.impression('"
          + impressionCode + "')]; window.__shown = true;</script><h1>Banner</h1>";
      default -> null;
    };
  }

  private static String impressionCode;

  private static String link(String campaignId, String affiliateId) {
    return f.link(campaignId, affiliateId).getString("code");
  }

  @Test
  void trackingWorksInChromiumAcrossSites() throws Exception {
    JsonObject campaign = f.campaign(new JsonObject().put("landing_page_url", siteUrl + "/landing.html")
        .put("accept_client_conversions", true).put("cookie_window_days", 7).put("currency", "EUR"));
    String cid = campaign.getString("id");
    String scriptAffiliate = f.affiliate(cid, "script@partner.example").getString("id");
    String pixelAffiliate = f.affiliate(cid, "pixel@partner.example").getString("id");
    String headlessAffiliate = f.affiliate(cid, "headless@partner.example").getString("id");
    String bannerAffiliate = f.affiliate(cid, "banner@partner.example").getString("id");
    impressionCode = link(cid, bannerAffiliate);
    double impressionsBefore = engine.metric("tracklane_impressions_total");
    Path profiles = Files.createTempDirectory("tracklane-chromium");

    JsonObject config = new JsonObject()
        .put("playwright", PLAYWRIGHT.toString()).put("chromium", CHROMIUM)
        .put("edge", edge).put("site", siteUrl)
        .put("screenshots", ROOT.resolve("target/browser-screenshots").toString())
        .put("userDataDir", profiles.toString())
        .put("codes", new JsonObject().put("script", link(cid, scriptAffiliate)).put("pixel", link(cid, pixelAffiliate))
            .put("headless", link(cid, headlessAffiliate)))
        .put("tx", new JsonObject().put("pixel", "T-pixel").put("pixelNone", "T-none"));
    Process p = new ProcessBuilder("node", "src/test/browser/tracking.cjs", config.encode())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(4, TimeUnit.MINUTES), "the browser script did not finish");
    try (var files = Files.walk(profiles)) {
      // The fresh profiles (one per scenario) are of no use once the browsers are closed.
      files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
    assertEquals(0, p.exitValue(), "a browser scenario failed (screenshots in target/browser-screenshots): "
        + output);
    JsonObject results = new JsonObject(output.trim());

    // Link -> landing page -> thank-you page, with the script: first-party storage, the exact amount,
    // the right affiliate, client trust.
    JsonObject script = results.getJsonObject("script");
    assertTrue(script.getJsonObject("stored").getString("cookie").contains("tl_click=" + script.getString("clickId")),
        script.encode());
    assertEquals(script.getString("clickId"), script.getString("sentWith"));
    assertTrue(script.getLong("maxAge") < Duration.ofDays(7).toMillis() + 60_000
        && script.getLong("maxAge") > Duration.ofDays(7).toMillis() - 600_000, "the campaign's window: " + script);
    JsonObject sale = conversion(scriptAffiliate);
    assertEquals("credited", sale.getString("status"), sale.encode());
    assertEquals(scriptAffiliate, sale.getString("affiliate_id"));
    assertEquals(4990L, sale.getLong("amount_cents"));
    assertEquals("client", sale.getString("trust"));
    assertEquals(script.getString("clickId"), sale.getString("click_id"));

    // The pixel with an explicit click id, cross-site (the browser sends no cookie to the edge).
    JsonObject pixel = conversion(pixelAffiliate);
    assertEquals("credited", pixel.getString("status"), pixel.encode());
    assertEquals(pixelAffiliate, pixel.getString("affiliate_id"));
    assertEquals(2000L, pixel.getLong("amount_cents"));
    assertEquals("client", pixel.getString("trust"));

    // The pixel cross-site with neither cookie nor click id: a rejected event with its reason.
    JsonObject none = rejected("T-none");
    assertEquals("no_click_id", none.getString("reason"), none.encode());
    assertEquals("client", none.getJsonObject("payload").getString("trust"));

    // Chromium's headless click is flagged bot and its conversion never credited.
    assertTrue(results.getJsonObject("headless").getString("ua").contains("HeadlessChrome"));
    JsonObject bot = rejected("T-headless");
    assertEquals("bot_click", bot.getString("reason"), bot.encode());
    assertEquals(results.getJsonObject("headless").getString("clickId"), bot.getJsonObject("payload").getString("click_id"));
    assertEquals(0, Http.json(f.ownerGet("/conversions?affiliate_id=" + headlessAffiliate)).getJsonArray("data").size());
    assertEquals(0, Http.json(f.ownerGet("/commissions?affiliate_id=" + headlessAffiliate)).getJsonArray("data").size());

    // The impression, asked for twice by the page, is counted once.
    assertEquals(List.of(true, false), results.getJsonObject("impression").getJsonArray("calls").getList());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (engine.metric("tracklane_impressions_total") < impressionsBefore + 1 && System.nanoTime() < deadline) {
      Http.sleep(100);
    }
    Http.sleep(500);
    assertEquals(impressionsBefore + 1, engine.metric("tracklane_impressions_total"), 0.0);
  }

  /** The affiliate's one conversion, once the ledger has it. */
  private static JsonObject conversion(String affiliateId) {
    HttpResponse<String> r = Http.poll(Duration.ofSeconds(30),
        x -> x.statusCode() == 200 && !Http.json(x).getJsonArray("data").isEmpty(),
        engine.apiUrl() + "/conversions?affiliate_id=" + affiliateId, "X-Api-Key", f.ownerKey);
    JsonObject found = Http.json(r).getJsonArray("data").getJsonObject(0);
    assertNotNull(found);
    return found;
  }

  private static JsonObject rejected(String transactionId) {
    HttpResponse<String> r = Http.poll(Duration.ofSeconds(30),
        x -> x.statusCode() == 200 && !Http.json(x).getJsonArray("data").isEmpty(),
        engine.apiUrl() + "/rejected_events?transaction_id=" + transactionId, "X-Api-Key", f.ownerKey);
    return Http.json(r).getJsonArray("data").getJsonObject(0);
  }
}
