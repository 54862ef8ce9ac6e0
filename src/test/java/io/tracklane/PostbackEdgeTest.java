package io.tracklane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.domain.ClickIdCodec;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /postback and /c.gif through HTTP, and what the API then shows of each postback. */
@Timeout(180)
class PostbackEdgeTest {
  private static TestEngine engine;
  private static Fixtures f;
  private static String code;
  private static long linkId;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(PostbackEdgeTest.class);
    f = new Fixtures(engine, "EUR");
    JsonObject campaign = f.campaign(new JsonObject());
    JsonObject affiliate = f.affiliate(campaign.getString("id"), "pb@partner.example");
    JsonObject link = f.link(campaign.getString("id"), affiliate.getString("id"));
    code = link.getString("code");
    linkId = Long.parseLong(link.getString("id"));
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private static HttpResponse<String> postJson(JsonObject body, String... headers) {
    return Http.post(engine.edgeUrl() + "/postback", "application/json", body.encode(), headers);
  }

  /** Waits until the ledger has processed the postback and returns its status from the API. */
  private static JsonObject finalStatus(String eventId) {
    return Http.json(Http.poll(Duration.ofSeconds(30), r -> !"accepted".equals(Http.json(r).getString("status")),
        engine.apiUrl() + "/postbacks/" + eventId, "X-Api-Key", f.ownerKey));
  }

  private static String accepted(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("accepted", Http.json(r).getString("status"), r.body());
    return Http.json(r).getString("event_id");
  }

  @Test
  void aLeadTheLedgerCannotCreditReadsRejectedWithItsReason() {
    String forged = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    String eventId = accepted(f.postback("transaction_id=lead-forged&event=lead&customer_id=c-forged&click_id="
        + forged));
    JsonObject status = finalStatus(eventId);
    assertEquals("rejected", status.getString("status"), status.encode());
    assertEquals("lead", status.getString("event"));
    assertEquals("forged_click_id", status.getString("reason"));
  }

  @Test
  void getWithTokenParameterFormWithTokenHeaderAndJsonAreAllCredited() {
    String viaGet = accepted(Http.get(engine.edgeUrl() + "/postback?token=" + f.postbackToken
        + "&transaction_id=get-1&amount=10.00&click_id=" + f.click(code)));
    String viaForm = accepted(f.postback("transaction_id=form-1&amount=10.00&click_id=" + f.click(code)));
    String viaJson = accepted(postJson(new JsonObject().put("transaction_id", "json-1").put("amount", "10.00")
        .put("click_id", f.click(code)), "X-Postback-Token", f.postbackToken));
    for (String eventId : List.of(viaGet, viaForm, viaJson)) {
      assertEquals("credited", finalStatus(eventId).getString("status"));
    }
  }

  @Test
  void anHmacSignatureOfTheBodyAuthenticatesAndAnyWrongOrMissingCredentialIs401RecordingNothing() {
    String body = new JsonObject().put("transaction_id", "signed-1").put("amount", "5.00")
        .put("click_id", f.click(code)).encode();
    String program = Long.toString(f.programId);
    HttpResponse<String> signed = Http.post(engine.edgeUrl() + "/postback", "application/json", body,
        "X-Tracklane-Program", program, "X-Tracklane-Signature", sign(f.postbackSecret, body));
    String signedId = accepted(signed);

    String unsigned = body.replace("signed-1", "unauth-1");
    List<HttpResponse<String>> refused = List.of(
        Http.post(engine.edgeUrl() + "/postback", "application/json", unsigned,
            "X-Tracklane-Program", program, "X-Tracklane-Signature", sign(f.postbackSecret, body)),
        Http.post(engine.edgeUrl() + "/postback", "application/json", unsigned,
            "X-Tracklane-Program", program, "X-Tracklane-Signature", sign("wrong-secret", unsigned)),
        Http.post(engine.edgeUrl() + "/postback", "application/json", unsigned,
            "X-Tracklane-Program", "999999", "X-Tracklane-Signature", sign(f.postbackSecret, unsigned)),
        Http.post(engine.edgeUrl() + "/postback", "application/json", unsigned),
        Http.post(engine.edgeUrl() + "/postback", "application/json", unsigned, "X-Postback-Token", "pt_wrong"),
        Http.get(engine.edgeUrl() + "/postback?token=pt_wrong&transaction_id=unauth-1&amount=1&customer_id=c"));
    for (HttpResponse<String> r : refused) {
      assertEquals(401, r.statusCode(), r.body());
      assertTrue(Http.json(r).containsKey("error"));
    }
    assertEquals("credited", finalStatus(signedId).getString("status"));
    String conversions = f.ownerGet("/conversions?limit=100").body();
    assertTrue(!conversions.contains("unauth-1"), conversions);
  }

  @Test
  void amountsBecomeExactMinorUnitsOfTheirCurrency() {
    Map<String, Long> expected = Map.of("eur-1", 4990L, "jpy-1", 1500L, "bhd-1", 1234L, "eur-2", 1L);
    accepted(f.postback("transaction_id=eur-1&amount=49.90&click_id=" + f.click(code)));
    accepted(f.postback("transaction_id=jpy-1&amount=1500&currency=JPY&click_id=" + f.click(code)));
    accepted(f.postback("transaction_id=bhd-1&amount=1.234&currency=bhd&click_id=" + f.click(code)));
    String last = accepted(f.postback("transaction_id=eur-2&amount=0.010&click_id=" + f.click(code)));
    finalStatus(last);
    JsonObject all = Http.json(f.ownerGet("/conversions?limit=100"));
    all.getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(c -> expected.containsKey(c.getString("transaction_id")))
        .forEach(c -> assertEquals(expected.get(c.getString("transaction_id")), c.getLong("amount_cents"),
            c.encode()));
    assertEquals(4, all.getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(c -> expected.containsKey(c.getString("transaction_id"))).count());
  }

  @Test
  void badAmountsAndCurrenciesAre400NamingTheField() {
    Map<String, String> cases = Map.ofEntries(
        Map.entry("amount=-1", "amount"), Map.entry("amount=NaN", "amount"), Map.entry("amount=1e3", "amount"),
        Map.entry("amount=1.23456", "amount"), Map.entry("amount=10.5&currency=JPY", "amount"),
        Map.entry("amount=99999999999999999999", "amount"), Map.entry("amount=1%2C50", "amount"),
        Map.entry("amount=", "amount"), Map.entry("amount=1&currency=EURO", "currency"),
        Map.entry("amount=1&currency=ZZZ", "currency"), Map.entry("amount=1&currency=XAU", "currency"),
        Map.entry("amount=1000000000000000.00", "amount"));
    cases.forEach((query, field) -> {
      HttpResponse<String> r = f.postback("transaction_id=bad-amount&click_id=x&" + query);
      assertEquals(400, r.statusCode(), query + " " + r.body());
      assertTrue(Http.json(r).getString("error").startsWith(field), query + " " + r.body());
    });
    HttpResponse<String> number = postJson(new JsonObject().put("transaction_id", "n").put("customer_id", "c")
        .put("amount", 1000), "X-Postback-Token", f.postbackToken);
    assertEquals(400, number.statusCode());
    assertTrue(Http.json(number).getString("error").startsWith("amount"), number.body());
  }

  @Test
  void malformedBodiesQueriesAndContentTypesAre400AndOversizedBodiesAre413() {
    String token = f.postbackToken;
    assertEquals(400, postJson(new JsonObject().put("transaction_id", "u").put("customer_id", "c").put("amount", "1")
        .put("discount", "5"), "X-Postback-Token", token).statusCode());
    assertEquals(400, Http.post(engine.edgeUrl() + "/postback", "application/json", "[1,2]",
        "X-Postback-Token", token).statusCode());
    assertEquals(400, Http.post(engine.edgeUrl() + "/postback", "application/json", "{\"transaction_id\":",
        "X-Postback-Token", token).statusCode());
    assertEquals(400, Http.post(engine.edgeUrl() + "/postback", "text/plain", "transaction_id=t",
        "X-Postback-Token", token).statusCode());
    assertEquals(400, Http.rawStatus(engine.config().http().edgePort(),
        "GET /postback?transaction_id=%zz&token=" + token));
    assertEquals(400, f.postback("transaction_id=t&transaction_id=u&amount=1&customer_id=c").statusCode());
    String huge = "transaction_id=big&customer_id=c&amount=1&pad=" + "x".repeat(70 * 1024);
    HttpResponse<String> tooBig = f.postback(huge);
    assertEquals(413, tooBig.statusCode(), tooBig.body());
  }

  @Test
  void aRepeatedPostbackIsAnsweredDuplicateAndCreditedOnce() {
    String form = "transaction_id=dup-1&amount=20.00&click_id=" + f.click(code);
    String eventId = accepted(f.postback(form));
    HttpResponse<String> repeat = f.postback(form);
    assertEquals(200, repeat.statusCode());
    assertEquals("duplicate", Http.json(repeat).getString("status"));
    assertEquals(eventId, Http.json(repeat).getString("event_id"));
    String repeatId = Http.json(repeat).getString("duplicate_id");
    JsonObject status = finalStatus(eventId);
    assertEquals("credited", status.getString("status"));
    assertEquals("dup-1", status.getString("transaction_id"));
    JsonObject repeatStatus = finalStatus(repeatId);
    assertEquals("duplicate", repeatStatus.getString("status"), repeatStatus.encode());
    assertEquals("dup-1", repeatStatus.getString("transaction_id"));
    boolean listed = Http.json(f.ownerGet("/rejected_events?limit=100")).getJsonArray("data").stream()
        .map(JsonObject.class::cast)
        .anyMatch(r -> repeatId.equals(r.getString("event_id")) && "duplicate".equals(r.getString("reason")));
    assertTrue(listed, "the repeat is in the ledger's rejected-events record");
    long count = Http.json(f.ownerGet("/conversions?limit=100")).getJsonArray("data").stream()
        .map(JsonObject.class::cast).filter(c -> "dup-1".equals(c.getString("transaction_id"))).count();
    assertEquals(1, count);
    assertEquals(400, f.ownerGet("/postbacks/not-an-event").statusCode());
  }

  @Test
  void forgedTamperedAndExpiredClickIdsAreNotCreditedAndTheReasonIsShown() {
    String real = f.click(code);
    char flipped = real.charAt(10) == 'A' ? 'B' : 'A';
    String tampered = real.substring(0, 10) + flipped + real.substring(11);
    ClickIdCodec codec = new ClickIdCodec(engine.config().clickId().keys(), engine.config().clickId().currentKeyId(),
        new SecureRandom());
    String expired = codec.issue(linkId, Instant.now().minus(Duration.ofDays(31))).value();
    Map<String, String> cases = Map.of("forged-1", "AbCdEfGhIjKlMnOpQrStUvWxYz0123", "tampered-1", tampered,
        "expired-1", expired);
    Map<String, String> reasons = Map.of("forged-1", "forged_click_id", "tampered-1", "forged_click_id",
        "expired-1", "expired_click");
    cases.forEach((tx, clickId) -> {
      JsonObject status = finalStatus(accepted(f.postback("transaction_id=" + tx + "&amount=9.99&click_id=" + clickId)));
      assertEquals("rejected", status.getString("status"), tx);
      assertEquals(reasons.get(tx), status.getString("reason"), tx);
    });
    JsonObject rejected = Http.json(f.ownerGet("/conversions?status=rejected&limit=100"));
    rejected.getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(c -> reasons.containsKey(c.getString("transaction_id")))
        .forEach(c -> assertEquals(reasons.get(c.getString("transaction_id")), c.getString("reject_reason")));
  }

  @Test
  void theClientPixelRecordsASaleByTheClickCookieOnlyForCampaignsThatAcceptIt() {
    JsonObject refusing = f.campaign(new JsonObject());
    JsonObject accepting = f.campaign(new JsonObject().put("accept_client_conversions", true));
    String refusingCode = f.link(refusing.getString("id"),
        f.affiliate(refusing.getString("id"), "r@p.example").getString("id")).getString("code");
    String acceptingCode = f.link(accepting.getString("id"),
        f.affiliate(accepting.getString("id"), "c@p.example").getString("id")).getString("code");
    HttpResponse<String> ignored = pixel(f.click(refusingCode), "transaction_id=client-0&amount=3.00");
    assertEquals(200, ignored.statusCode());
    assertEquals("43", ignored.headers().firstValue("Content-Length").orElseThrow());
    assertEquals(200, pixel(null, "transaction_id=client-none&amount=3.00").statusCode());
    assertEquals(400, pixel(f.click(acceptingCode), "transaction_id=client-bad&amount=-3").statusCode());
    assertEquals(200, pixel(f.click(acceptingCode), "transaction_id=client-1&amount=3.00").statusCode());
    JsonObject credited = Http.json(Http.poll(Duration.ofSeconds(30), r -> r.body().contains("client-1"),
        engine.apiUrl() + "/conversions?limit=100", "X-Api-Key", f.ownerKey));
    String body = credited.encode();
    assertTrue(!body.contains("client-0") && !body.contains("client-none"), body);
    String metrics = Http.get(engine.opsUrl() + "/metrics").body();
    // The refusing campaign's pixel is a rejected event; the one without click or program only a count.
    assertTrue(metrics.contains("tracklane_client_conversions_ignored_total 1.0"), metrics);
    assertTrue(metrics.contains("tracklane_client_conversions_refused_total 1.0"), metrics);
    JsonObject refused = Http.json(Http.poll(Duration.ofSeconds(30), r -> r.body().contains("client-0"),
        engine.apiUrl() + "/rejected_events?transaction_id=client-0", "X-Api-Key", f.ownerKey));
    assertEquals("client_conversions_not_accepted", refused.getJsonArray("data").getJsonObject(0).getString("reason"));
  }

  @Test
  void randomRequestsNeverAnswer5xxAndWithoutACredentialRecordNothing() {
    long before = Http.json(f.ownerGet("/conversions")).getJsonObject("pagination").getLong("total_count");
    java.util.Random random = new java.util.Random(20261121);
    String[] methods = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"};
    String[] paths = {"/postback", "/r/" + code, "/r/%zz", "/i/" + code, "/c.gif", "/postback/x", "/r/", "//r/x",
        "/r/" + "c".repeat(300)};
    String[] pieces = {"transaction_id", "amount", "currency", "event", "click_id", "customer_id", "coupon", "sub1",
        "source", "=", "&", "%", "%0d%0a", "%00", "%zz", "%E2%82", "1e3", "-1", "NaN", "49.90", "EUR", "BHD", "sale",
        "refund", "{", "}", "\"", ":", ",", "[", "]", "+", "..", "/", "@", "javascript:"};
    String[] types = {"application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data",
        "application/json; charset=latin1", ""};
    int port = engine.config().http().edgePort();
    for (int i = 0; i < 400; i++) {
      StringBuilder query = new StringBuilder();
      StringBuilder body = new StringBuilder();
      for (int n = random.nextInt(12); n > 0; n--) {
        query.append(pieces[random.nextInt(pieces.length)]);
        body.append(pieces[random.nextInt(pieces.length)]);
      }
      String method = methods[random.nextInt(methods.length)];
      String target = paths[random.nextInt(paths.length)] + (query.length() > 0 ? "?" + query : "");
      int status = Http.rawStatus(port, method, target.replace(" ", "%20"), types[random.nextInt(types.length)],
          random.nextInt(10) == 0 ? "x".repeat(70_000) : body.toString());
      assertTrue(status < 500, method + " " + target + " -> " + status);
    }
    // A later valid postback, once processed, proves the ledger has consumed past anything the fuzz queued.
    finalStatus(accepted(f.postback("transaction_id=after-fuzz&amount=1.00&click_id=" + f.click(code))));
    long after = Http.json(f.ownerGet("/conversions")).getJsonObject("pagination").getLong("total_count");
    assertEquals(before + 1, after);
  }

  private static HttpResponse<String> pixel(String clickId, String query) {
    String url = engine.edgeUrl() + "/c.gif?" + query;
    return clickId == null ? Http.get(url) : Http.get(url, "Cookie", "tl_click=" + clickId);
  }

  static String sign(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
