package io.tracklane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tracklane.domain.EventIds;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * What probing the running engine found, each probe replayed against a whole engine: every one must
 * be a clear 4xx with {"error": ...}, and nothing may be logged at ERROR (a stack trace in the log).
 */
@Timeout(180)
class HardeningTest {
  private static TestEngine engine;
  private static Fixtures f;
  private static JsonObject campaign;
  private static String code;
  private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();

  @BeforeAll
  static void start() {
    engine = TestEngine.start(HardeningTest.class);
    f = new Fixtures(engine, "EUR");
    campaign = f.campaign(new JsonObject().put("allowed_domains", new JsonArray().add("partner.example")));
    JsonObject affiliate = f.affiliate(campaign.getString("id"), "hard@partner.example");
    code = f.link(campaign.getString("id"), affiliate.getString("id")).getString("code");
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOG);
    LOG.start();
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOG);
    engine.close();
  }

  @BeforeEach
  void clearLog() {
    LOG.list.clear();
  }

  @AfterEach
  void nothingLoggedAtError() {
    List<String> errors = LOG.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(List.of(), errors, "logged at ERROR");
  }

  private static void assertError(int status, HttpResponse<String> r) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(Http.json(r).getString("error").length() > 0, r.body());
  }

  @Test
  void aSignedSaleReplayedWithQueryFieldsIsRefusedAndNeverBecomesARefund() {
    String body = new JsonObject().put("transaction_id", "signed-sale-1").put("amount", "20.00")
        .put("click_id", f.click(code)).encode();
    String[] signed = {"X-Tracklane-Program", Long.toString(f.programId), "X-Tracklane-Signature",
        PostbackEdgeTest.sign(f.postbackSecret, body)};
    HttpResponse<String> sale = Http.post(engine.edgeUrl() + "/postback", "application/json", body, signed);
    assertEquals(200, sale.statusCode(), sale.body());

    for (String query : List.of("?event=refund", "?event=refund&transaction_id=x", "?cachebuster=1")) {
      HttpResponse<String> replay = Http.post(engine.edgeUrl() + "/postback" + query, "application/json", body,
          signed);
      assertError(400, replay);
      assertTrue(replay.body().contains("query string"), replay.body());
    }
    String saleId = Http.json(sale).getString("event_id");
    Http.poll(Duration.ofSeconds(30), r -> "credited".equals(Http.json(r).getString("status")),
        engine.apiUrl() + "/postbacks/" + saleId, "X-Api-Key", f.ownerKey);
    String refundId = EventIds.postback(f.programId, "refund", "signed-sale-1");
    JsonObject refund = Http.json(f.ownerGet("/postbacks/" + refundId));
    assertEquals("accepted", refund.getString("status"), "never seen by the ledger: " + refund.encode());
  }

  @Test
  void oversizedAndOverfullFormsAreRefusedCleanlyWithOrWithoutCredentials() {
    String longId = "transaction_id=" + "9".repeat(9000) + "&amount=1.00&customer_id=c1";
    StringBuilder many = new StringBuilder("transaction_id=t-many&amount=1.00&customer_id=c1");
    for (int i = 0; i < 300; i++) {
      many.append("&f").append(i).append("=v");
    }
    for (String form : List.of(longId, many.toString())) {
      assertError(400, f.postback(form));
      assertError(400, Http.post(engine.edgeUrl() + "/postback", "application/x-www-form-urlencoded", form));
      // The API takes JSON only: a form is refused, for its media type (415) or, when the body
      // decoder already finds it malformed, as such (400); never a 500.
      HttpResponse<String> api = Http.post(engine.apiUrl() + "/campaigns", "application/x-www-form-urlencoded", form,
          "X-Api-Key", f.ownerKey);
      assertError(api.statusCode() == 415 ? 415 : 400, api);
    }
  }

  @Test
  void aNulInALinkCodeIs400AtTheRedirectAndThePixel() {
    for (String path : List.of("/r/%00", "/i/%00", "/r/ab%00cd", "/i/" + code + "%00")) {
      assertError(400, Http.get(engine.edgeUrl() + path));
    }
    assertEquals(302, Http.get(engine.edgeUrl() + "/r/" + code).statusCode());
  }

  @Test
  void aNulInAQueryFilterOrAJsonStringIs400NamingTheField() {
    for (String query : List.of("/affiliates?email=a%00b", "/rejected_events?reason=%00",
        "/rejected_events?transaction_id=t%00")) {
      HttpResponse<String> r = f.ownerGet(query);
      assertError(400, r);
      String param = query.substring(query.indexOf('?') + 1, query.indexOf('='));
      assertTrue(Http.json(r).getString("error").contains(param), r.body());
    }
    JsonObject named = new JsonObject().put("name", "Spring\u0000Sale").put("landing_page_url", "https://shop.example/")
        .put("reward_type", "percent").put("commission_percent", 10);
    HttpResponse<String> r = Http.post(engine.apiUrl() + "/campaigns", "application/json", named.encode(),
        "X-Api-Key", f.ownerKey);
    assertError(400, r);
    assertTrue(Http.json(r).getString("error").startsWith("name "), r.body());
    JsonObject nested = named.copy().put("name", "ok").put("allowed_domains", new JsonArray().add("a\u0000.example"));
    r = Http.post(engine.apiUrl() + "/campaigns", "application/json", nested.encode(), "X-Api-Key", f.ownerKey);
    assertError(400, r);
    assertTrue(Http.json(r).getString("error").startsWith("allowed_domains[0] "), r.body());
  }

  @Test
  void allowedDomainsMustBeRegistrableDomainNames() {
    for (String bad : List.of("com", "*", "", "*.shop.example", "co.uk", "github.io", "https://shop.example",
        "shop.example/path", "192.168.0.1", "-shop.example", "shop..example")) {
      HttpResponse<String> r = Http.post(engine.apiUrl() + "/campaigns", "application/json",
          campaignBody(bad).encode(), "X-Api-Key", f.ownerKey);
      assertError(400, r);
      assertTrue(Http.json(r).getString("error").startsWith("allowed_domains"), bad + ": " + r.body());
    }
    JsonObject created = f.campaign(new JsonObject().put("allowed_domains",
        new JsonArray().add("Shop.Co.UK").add("partner.example").add("partner.example")));
    assertEquals(new JsonArray().add("shop.co.uk").add("partner.example"), created.getJsonArray("allowed_domains"));
  }

  @Test
  void aLinkWhoseDomainIsNoLongerAllowedRedirectsToTheLandingPage() {
    JsonObject own = f.campaign(new JsonObject().put("allowed_domains", new JsonArray().add("partner.example")));
    JsonObject affiliate = f.affiliate(own.getString("id"), "moved@partner.example");
    JsonObject link = f.create("/affiliate_links", new JsonObject().put("campaign_id", own.getString("id"))
        .put("affiliate_id", affiliate.getString("id")).put("destination_url", "https://deals.partner.example/p"), 201);
    String url = engine.edgeUrl() + "/r/" + link.getString("code");
    assertTrue(Http.get(url).headers().firstValue("Location").orElseThrow()
        .startsWith("https://deals.partner.example/p?click_id="));

    HttpResponse<String> update = Http.put(engine.apiUrl() + "/campaigns/" + own.getString("id"), "application/json",
        new JsonObject().put("allowed_domains", new JsonArray()).encode(), "X-Api-Key", f.ownerKey);
    assertEquals(200, update.statusCode(), update.body());
    HttpResponse<String> moved = Http.poll(Duration.ofSeconds(10), r -> r.headers().firstValue("Location")
        .orElse("").startsWith("https://shop.example/land?click_id="), url);
    assertEquals(302, moved.statusCode());
    assertTrue(moved.headers().firstValue("Set-Cookie").isPresent(), "still a creditable click");
  }

  @Test
  void aMalformedPostbackNeverEchoesTheQueryOrTheToken() {
    int port = engine.config().http().edgePort();
    String query = "token=" + f.postbackToken + "&transaction_id=%zz&amount=1.00&customer_id=c";
    HttpResponse<String> form = Http.post(engine.edgeUrl() + "/postback", "application/x-www-form-urlencoded", query);
    List<Http.Raw> answers = List.of(Http.raw(port, "GET", "/postback?" + query, null),
        Http.raw(port, "GET", "/r/" + code + "?sub1=%zz&token=" + f.postbackToken, null),
        new Http.Raw(form.statusCode(), form.body()));
    for (Http.Raw answer : answers) {
      assertEquals(400, answer.status(), answer.body());
      assertTrue(new JsonObject(answer.body()).getString("error").contains("malformed"), answer.body());
      assertFalse(answer.body().contains(f.postbackToken), answer.body());
      assertFalse(answer.body().contains("%zz") || answer.body().contains("transaction_id="), answer.body());
    }
  }

  private static JsonObject campaignBody(String domain) {
    return new JsonObject().put("name", "Domains").put("landing_page_url", "https://shop.example/")
        .put("reward_type", "percent").put("commission_percent", 10)
        .put("allowed_domains", new JsonArray().add(domain));
  }
}
