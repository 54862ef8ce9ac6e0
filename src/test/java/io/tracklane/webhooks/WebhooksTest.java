package io.tracklane.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.standardwebhooks.Webhook;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Partner postbacks end to end on real PostgreSQL, Kafka and Redis: a sale through the edge and
 * the ledger reaches the webhooks role, which calls a local receiver (allow-listed by host).
 */
@Timeout(240)
class WebhooksTest {
  private static TestEngine engine;
  private static Fixtures owner;
  private static Receiver receiver;
  private static String campaign;
  private static String jane;
  private static String joe;
  private static String janeKey;
  private static String joeKey;
  private static String janeLink;
  private static String joeLink;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(WebhooksTest.class, Map.of("roles", "edge,api,ledger,webhooks",
        "webhooks.allow_hosts", "127.0.0.1", "webhooks.poll_ms", "50", "webhooks.backoff_base_ms", "50",
        "webhooks.backoff_max_ms", "200", "webhooks.breaker.failures", "6", "webhooks.breaker.open_seconds", "600",
        "webhooks.response_body_limit_bytes", "100"));
    owner = new Fixtures(engine, "EUR");
    receiver = new Receiver(3);
    campaign = owner.campaign(new JsonObject().put("name", "Shop")).getString("id");
    jane = owner.affiliate(campaign, "jane@partner.example").getString("id");
    joe = owner.affiliate(campaign, "joe@partner.example").getString("id");
    janeKey = engine.affiliateKey(owner.programId, Long.parseLong(jane));
    joeKey = engine.affiliateKey(owner.programId, Long.parseLong(joe));
    janeLink = owner.link(campaign, jane).getString("code");
    joeLink = owner.link(campaign, joe).getString("code");
  }

  @AfterAll
  static void stop() {
    receiver.close();
    engine.close();
  }

  @Test
  void signedPostFailsThreeTimesThenIsDeliveredOnceWithFourAttemptsAndVerifiesWithTheStandardWebhooksLibrary()
      throws Exception {
    // An affiliate of its own: no other test's events reach its postback, so the receiver's first
    // three answers (500) are this delivery's.
    String[] sig = newAffiliate("signed@partner.example");
    JsonObject hook = create(sig[1], "/affiliate/postbacks", new JsonObject().put("url", receiver.url("/flaky-signed"))
        .put("events", new JsonArray().add("conversion")), 201);
    String secret = hook.getString("secret");
    assertTrue(secret.startsWith("whsec_"), hook.encode());
    assertNull(Http.json(Http.get(engine.apiUrl() + "/affiliate/postbacks/" + hook.getString("id"), "X-Api-Key",
        sig[1])).getValue("secret"), "the secret is answered once");

    owner.sale(sig[2], "SIGNED-1", "123.45");
    JsonObject delivery = awaitDelivery(sig[1], "/affiliate/postbacks/" + hook.getString("id"), "delivered");
    JsonArray attempts = delivery.getJsonArray("attempts");
    assertEquals(4, attempts.size(), delivery.encode());
    assertEquals(4, delivery.getInteger("attempt_count"));
    for (int i = 0; i < 3; i++) {
      assertEquals(500, attempts.getJsonObject(i).getInteger("status_code"));
      assertTrue(attempts.getJsonObject(i).getString("error").contains("500"));
    }
    assertEquals(200, attempts.getJsonObject(3).getInteger("status_code"));
    assertNull(attempts.getJsonObject(3).getString("error"));
    assertTrue(attempts.getJsonObject(3).getInteger("latency_ms") >= 0);

    List<Receiver.Request> got = receiver.to("/flaky-signed");
    assertEquals(4, got.size(), "three failures and one success, nothing after");
    Http.sleep(500);
    assertEquals(4, receiver.to("/flaky-signed").size(), "delivered once: no attempt after the 200");
    String messageId = got.get(0).headers().get("webhook-id").get(0);
    for (Receiver.Request r : got) {
      assertEquals("POST", r.method());
      assertEquals(messageId, r.headers().get("webhook-id").get(0), "one message id through every retry");
      // The reference library verifies the signature (and the timestamp's freshness); throws otherwise.
      new Webhook(secret).verify(r.body(), r.headers());
    }
    JsonObject body = new JsonObject(got.get(3).body());
    assertEquals("conversion", body.getString("type"));
    JsonObject data = body.getJsonObject("data");
    assertEquals("SIGNED-1", data.getString("transaction_id"));
    assertEquals("123.45", data.getString("amount"));
    assertEquals(12345, data.getLong("amount_cents"));
    assertEquals("EUR", data.getString("currency"));
    assertEquals(sig[0], data.getString("affiliate_id"));
    assertEquals(campaign, data.getString("campaign_id"));
    assertNotNull(data.getString("click_id"));
    // 15 % of 123.45 is 18.5175, rounded half-even to the cent.
    assertEquals("18.52", data.getString("commission"));
    // A tampered body does not verify.
    Receiver.Request last = got.get(3);
    try {
      new Webhook(secret).verify(last.body().replace("123.45", "923.45"), last.headers());
      throw new AssertionError("a tampered body verified");
    } catch (com.standardwebhooks.exceptions.WebhookVerificationException expected) {
      // the signature covers the body
    }
    assertEquals(200, Http.delete(engine.apiUrl() + "/affiliate/postbacks/" + hook.getString("id"), "X-Api-Key",
        sig[1]).statusCode());
  }

  @Test
  void getMacrosAreRenderedExactlyAndUrlEncoded() {
    String[] mac = newAffiliate("macro@partner.example");
    String template = receiver.url("/ok-get") + "?cid={click_id}&tx={transaction_id}&amt={amount}&cur={currency}"
        + "&com={commission}&s1={sub1}&s2={sub2}&s3={sub3}&s4={sub4}&s5={sub5}&src={source}&aff={affiliate_id}"
        + "&camp={campaign_id}&ev={event}";
    assertEquals(400, Http.post(engine.apiUrl() + "/affiliate/postbacks", "application/json", new JsonObject()
        .put("url", template + "&x={nope}").put("method", "GET").put("events", new JsonArray().add("conversion"))
        .encode(), "X-Api-Key", mac[1]).statusCode(), "an unknown macro is refused");
    JsonObject postback = create(mac[1], "/affiliate/postbacks", new JsonObject().put("url", template)
        .put("method", "GET").put("events", new JsonArray().add("conversion")), 201);
    assertNull(postback.getValue("secret"), "GET postbacks are not signed");
    HttpResponse<String> click = Http.get(engine.edgeUrl() + "/r/" + mac[2]
        + "?sub1=a%20b%26c&sub2=%C3%BCber&sub5=x%2By&source=news%2Fletter");
    assertEquals(302, click.statusCode());
    String clickId = Fixtures.query(click.headers().firstValue("Location").orElseThrow()).get("click_id");
    assertEquals(200, owner.postback("transaction_id=MACRO-7&amount=10.05&click_id=" + clickId).statusCode());
    JsonObject delivery = awaitDelivery(mac[1], "/affiliate/postbacks/" + postback.getString("id"), "delivered");
    assertEquals(1, delivery.getJsonArray("attempts").size());
    List<Receiver.Request> got = receiver.to("/ok-get");
    assertEquals(1, got.size());
    assertEquals("GET", got.get(0).method());
    // 15 % of 10.05 is 1.5075: half-even to 1.51 (the ledger's one rounding rule), rendered from minor units.
    assertEquals("/ok-get?cid=" + clickId + "&tx=MACRO-7&amt=10.05&cur=EUR&com=1.51&s1=a%20b%26c&s2=%C3%BCber"
        + "&s3=&s4=&s5=x%2By&src=news%2Fletter&aff=" + mac[0] + "&camp=" + campaign + "&ev=conversion",
        got.get(0).uri());
  }

  @Test
  void affiliatePostbacksFireOnlyForTheirOwnEventsAndAnotherAffiliatesIdsAnswer404() {
    String[] ann = newAffiliate("ann@partner.example");
    String[] bob = newAffiliate("bob@partner.example");
    JsonObject janes = create(ann[1], "/affiliate/postbacks", new JsonObject().put("url", receiver.url("/ok-jane"))
        .put("events", new JsonArray().add("conversion").add("lead")), 201);
    String id = janes.getString("id");
    String[] joeAuth = {"X-Api-Key", bob[1]};
    assertEquals(404, Http.get(engine.apiUrl() + "/affiliate/postbacks/" + id, joeAuth).statusCode());
    assertEquals(404, Http.get(engine.apiUrl() + "/affiliate/postbacks/" + id + "/deliveries", joeAuth).statusCode());
    assertEquals(404, Http.put(engine.apiUrl() + "/affiliate/postbacks/" + id, "application/json",
        "{\"state\":\"disabled\"}", joeAuth).statusCode());
    assertEquals(404, Http.post(engine.apiUrl() + "/affiliate/postbacks/" + id + "/deliveries/1/redeliver",
        "application/json", "", joeAuth).statusCode());
    assertEquals(404, Http.delete(engine.apiUrl() + "/affiliate/postbacks/" + id, joeAuth).statusCode());
    assertTrue(Http.json(Http.get(engine.apiUrl() + "/affiliate/postbacks", joeAuth)).getJsonArray("data").stream()
        .noneMatch(p -> ((JsonObject) p).getString("id").equals(id)));
    // An owner's webhooks are not an affiliate's postbacks, and the reverse.
    assertEquals(404, Http.get(engine.apiUrl() + "/webhooks/" + id, "X-Api-Key", owner.ownerKey).statusCode());
    assertEquals(403, Http.get(engine.apiUrl() + "/webhooks", joeAuth).statusCode());
    assertEquals(403, Http.get(engine.apiUrl() + "/affiliate/postbacks", "X-Api-Key", owner.ownerKey).statusCode());

    owner.sale(bob[2], "JOE-ONLY-1", "50.00");
    owner.sale(ann[2], "JANE-ONLY-1", "60.00");
    JsonObject delivery = awaitDelivery(ann[1], "/affiliate/postbacks/" + id, "delivered");
    Http.sleep(1000);
    List<Receiver.Request> got = receiver.to("/ok-jane");
    assertEquals(1, got.size(), "only Jane's sale");
    assertTrue(got.get(0).body().contains("JANE-ONLY-1"));
    assertEquals(1, Http.json(Http.get(engine.apiUrl() + "/affiliate/postbacks/" + id + "/deliveries", "X-Api-Key",
        ann[1])).getJsonArray("data").size(), delivery.encode());

    // Redelivery on demand: one more attempt, same message id.
    HttpResponse<String> again = Http.post(engine.apiUrl() + "/affiliate/postbacks/" + id + "/deliveries/"
        + delivery.getString("id") + "/redeliver", "application/json", "", "X-Api-Key", ann[1]);
    assertEquals(202, again.statusCode(), again.body());
    Http.poll(Duration.ofSeconds(30), r -> receiver.to("/ok-jane").size() == 2, engine.apiUrl() + "/webhooks",
        "X-Api-Key", owner.ownerKey);
    assertEquals(got.get(0).headers().get("webhook-id"), receiver.to("/ok-jane").get(1).headers().get("webhook-id"));
    awaitAttempts(ann[1], "/affiliate/postbacks/" + id, 2);

    // Jane may change and delete her own.
    HttpResponse<String> changed = Http.put(engine.apiUrl() + "/affiliate/postbacks/" + id, "application/json",
        "{\"events\":[\"refund\"],\"state\":\"disabled\"}", "X-Api-Key", ann[1]);
    assertEquals(200, changed.statusCode(), changed.body());
    assertEquals(new JsonArray().add("refund"), Http.json(changed).getJsonArray("events"));
    assertEquals(400, Http.put(engine.apiUrl() + "/affiliate/postbacks/" + id, "application/json",
        "{\"method\":\"GET\"}", "X-Api-Key", ann[1]).statusCode());
    assertEquals(200, Http.delete(engine.apiUrl() + "/affiliate/postbacks/" + id, "X-Api-Key", ann[1]).statusCode());
    assertEquals(404, Http.get(engine.apiUrl() + "/affiliate/postbacks/" + id, "X-Api-Key", ann[1]).statusCode());
  }

  @Test
  void everyRefusedAddressClassAnswers400AtCreation() {
    List<String> refused = List.of(
        "http://127.0.0.2/hook",                 // loopback (127.0.0.1 alone is allow-listed)
        "http://[::1]/hook",                      // IPv6 loopback
        "http://[::ffff:127.0.0.1]/hook",         // IPv4-mapped loopback
        "http://10.1.2.3/hook",                   // private
        "http://172.16.5.4/hook",
        "http://192.168.1.1/hook",
        "http://100.64.0.1/hook",                 // carrier-grade NAT
        "http://[fc00::1]/hook",                  // unique local
        "http://[fd12:3456::1]/hook",
        "http://169.254.169.254/latest/meta-data", // link-local, cloud metadata
        "http://[fe80::1]/hook",                  // IPv6 link-local
        "http://224.0.0.1/hook",                  // multicast
        "http://[ff02::1]/hook",
        "http://0.0.0.0/hook",                    // unspecified
        "http://[::]/hook",
        "http://255.255.255.255/hook",            // broadcast / reserved
        "http://[::ffff:10.0.0.1]/hook",
        "http://[64:ff9b::7f00:1]/hook",          // NAT64 of 127.0.0.1
        "http://2130706433/hook",                 // 127.0.0.1 as one number
        "http://localhost/hook",                  // a name resolving to loopback
        "http://no-such-host.invalid/hook",       // does not resolve
        "ftp://example.com/hook",
        "http://user:pw@127.0.0.1/hook",
        "http://{click_id}.example.com/hook");
    for (String url : refused) {
      for (String[] who : List.of(new String[] {owner.ownerKey, "/webhooks"}, new String[] {janeKey,
          "/affiliate/postbacks"})) {
        HttpResponse<String> r = Http.post(engine.apiUrl() + who[1], "application/json", new JsonObject()
            .put("url", url).put("events", new JsonArray().add("conversion")).encode(), "X-Api-Key", who[0]);
        assertEquals(400, r.statusCode(), url + " -> " + r.body());
      }
    }
    JsonObject hook = create(owner.ownerKey, "/webhooks", new JsonObject().put("url", receiver.url("/ok-x"))
        .put("events", new JsonArray().add("lead")), 201);
    assertEquals(400, Http.put(engine.apiUrl() + "/webhooks/" + hook.getString("id"), "application/json",
        "{\"url\":\"http://169.254.169.254/\"}", "X-Api-Key", owner.ownerKey).statusCode(), "checked on change too");
    assertEquals(400, Http.post(engine.apiUrl() + "/webhooks", "application/json",
        "{\"url\":\"" + receiver.url("/ok") + "\",\"events\":[\"sale\"]}", "X-Api-Key", owner.ownerKey).statusCode());
    assertEquals(403, Http.post(engine.apiUrl() + "/webhooks", "application/json",
        "{\"url\":\"" + receiver.url("/ok") + "\",\"events\":[\"lead\"]}", "X-Api-Key",
        engine.ownerKey(owner.programId, "reporting")).statusCode());
    assertEquals(200, Http.delete(engine.apiUrl() + "/webhooks/" + hook.getString("id"), "X-Api-Key",
        owner.ownerKey).statusCode());
  }

  @Test
  void theBreakerOpensAfterConsecutiveFailuresAndHoldsTheRest() {
    JsonObject hook = create(owner.ownerKey, "/webhooks", new JsonObject().put("url", receiver.url("/down-breaker"))
        .put("events", new JsonArray().add("conversion")), 201);
    String path = "/webhooks/" + hook.getString("id");
    owner.sale(joeLink, "BREAKER-1", "10.00");
    owner.sale(joeLink, "BREAKER-2", "10.00");
    HttpResponse<String> opened = Http.poll(Duration.ofSeconds(60), r -> Http.json(r)
        .getString("breaker_open_until") != null, engine.apiUrl() + path, "X-Api-Key", owner.ownerKey);
    assertEquals(6, Http.json(opened).getInteger("consecutive_failures"));
    int calls = receiver.to("/down-breaker").size();
    assertEquals(6, calls, "no attempt past the threshold");
    Http.sleep(1500);
    assertEquals(calls, receiver.to("/down-breaker").size(), "no attempt while the breaker is open");
    JsonArray deliveries = Http.json(Http.get(engine.apiUrl() + path + "/deliveries", "X-Api-Key", owner.ownerKey))
        .getJsonArray("data");
    assertTrue(deliveries.size() >= 2, deliveries.encode());
    deliveries.forEach(d -> assertEquals("pending", ((JsonObject) d).getString("status")));
    // A redirect is a failure, not followed; the answer body is capped.
    JsonObject redirect = create(owner.ownerKey, "/webhooks", new JsonObject().put("url", receiver.url("/redirect"))
        .put("events", new JsonArray().add("conversion")), 201);
    owner.sale(joeLink, "REDIRECT-1", "10.00");
    JsonObject d = awaitAttempts(owner.ownerKey, "/webhooks/" + redirect.getString("id"), 1);
    assertEquals(302, d.getJsonArray("attempts").getJsonObject(0).getInteger("status_code"));
    assertTrue(d.getJsonArray("attempts").getJsonObject(0).getString("error").contains("redirects are not followed"));
    assertTrue(receiver.to("/ok-after-redirect").isEmpty());
    assertEquals(200, Http.delete(engine.apiUrl() + "/webhooks/" + redirect.getString("id"), "X-Api-Key",
        owner.ownerKey).statusCode());
    assertEquals(200, Http.delete(engine.apiUrl() + path, "X-Api-Key", owner.ownerKey).statusCode());
  }

  @Test
  void anAttemptEndsAfterTheTimeoutAndReadsACappedAnswer() {
    JsonObject hang = create(owner.ownerKey, "/webhooks", new JsonObject().put("url", receiver.url("/hang"))
        .put("events", new JsonArray().add("lead")), 201);
    JsonObject ok = create(owner.ownerKey, "/webhooks", new JsonObject().put("url", receiver.url("/ok-capped"))
        .put("events", new JsonArray().add("lead")), 201);
    HttpResponse<String> lead = owner.postback("event=lead&transaction_id=LEAD-HANG-1&click_id=" + owner.click(janeLink));
    assertEquals(200, lead.statusCode(), lead.body());
    JsonObject attempt = awaitAttempts(owner.ownerKey, "/webhooks/" + hang.getString("id"), 1).getJsonArray("attempts")
        .getJsonObject(0);
    assertNull(attempt.getInteger("status_code"), attempt.encode());
    assertTrue(attempt.getString("error").contains("timed out after 5000 ms"), attempt.encode());
    assertTrue(attempt.getInteger("latency_ms") >= 4900 && attempt.getInteger("latency_ms") < 8000, attempt.encode());
    JsonObject delivered = awaitDelivery(owner.ownerKey, "/webhooks/" + ok.getString("id"), "delivered");
    assertEquals("lead", delivered.getString("event"));
    // The receiver answered 5000 bytes; 100 (webhooks.response_body_limit_bytes) were kept.
    List<Map<String, Object>> kept = io.tracklane.testing.Sql.query(engine,
        "SELECT length(response_body) AS n FROM webhook_attempts WHERE delivery_id = ?",
        Long.parseLong(delivered.getString("id")));
    assertEquals(100, ((Number) kept.get(0).get("n")).intValue());
    JsonObject data = new JsonObject(receiver.to("/ok-capped").get(0).body()).getJsonObject("data");
    assertEquals("lead", data.getString("event"));
    assertEquals("LEAD-HANG-1", data.getString("transaction_id"));
    assertEquals(jane, data.getString("affiliate_id"));
    for (JsonObject hook : List.of(hang, ok)) {
      assertEquals(200, Http.delete(engine.apiUrl() + "/webhooks/" + hook.getString("id"), "X-Api-Key",
          owner.ownerKey).statusCode());
    }
  }

  @Test
  void refundsAndCommissionStatusChangesFireWithTheirValues() {
    JsonObject hook = create(owner.ownerKey, "/webhooks", new JsonObject().put("url", receiver.url("/ok-money"))
        .put("events", new JsonArray().add("refund").add("commission_status_changed")), 201);
    owner.sale(joeLink, "MONEY-1", "80.00");
    assertEquals(200, owner.postback("event=refund&transaction_id=MONEY-1&amount=80.00&customer_id=m1").statusCode());
    HttpResponse<String> r = Http.poll(Duration.ofSeconds(60), x -> receiver.to("/ok-money").stream()
        .anyMatch(q -> q.body().contains("\"type\":\"refund\"")) && receiver.to("/ok-money").stream()
        .anyMatch(q -> q.body().contains("\"type\":\"commission_status_changed\"")), engine.apiUrl() + "/webhooks",
        "X-Api-Key", owner.ownerKey);
    assertEquals(200, r.statusCode());
    // An owner's webhook is signed the same way.
    for (Receiver.Request q : receiver.to("/ok-money")) {
      try {
        new Webhook(hook.getString("secret")).verify(q.body(), q.headers());
      } catch (com.standardwebhooks.exceptions.WebhookVerificationException e) {
        throw new AssertionError(e);
      }
    }
    JsonObject refund = receiver.to("/ok-money").stream().map(q -> new JsonObject(q.body()))
        .filter(b -> b.getString("type").equals("refund")).findFirst().orElseThrow().getJsonObject("data");
    assertEquals("MONEY-1", refund.getString("transaction_id"));
    assertEquals("80.00", refund.getString("amount"));
    assertEquals("EUR", refund.getString("currency"));
    assertEquals(joe, refund.getString("affiliate_id"));
    assertEquals(campaign, refund.getString("campaign_id"));
    JsonObject changed = receiver.to("/ok-money").stream().map(q -> new JsonObject(q.body()))
        .filter(b -> b.getString("type").equals("commission_status_changed")).findFirst().orElseThrow()
        .getJsonObject("data");
    assertEquals("MONEY-1", changed.getString("transaction_id"));
    assertEquals("voided", changed.getString("status_to"));
    // 15 % of 80.00, the commission the refund voided; the sale's amount as {amount}.
    assertEquals("12.00", changed.getString("commission"));
    assertEquals("80.00", changed.getString("amount"));
    assertEquals(joe, changed.getString("affiliate_id"));
    assertEquals(200, Http.delete(engine.apiUrl() + "/webhooks/" + hook.getString("id"), "X-Api-Key",
        owner.ownerKey).statusCode());
  }

  /** A fresh affiliate (no other test's events reach its postbacks): its id, key and link code. */
  static String[] newAffiliate(String email) {
    String id = owner.affiliate(campaign, email).getString("id");
    return new String[] {id, engine.affiliateKey(owner.programId, Long.parseLong(id)),
        owner.link(campaign, id).getString("code")};
  }

  static JsonObject create(String key, String path, JsonObject body, int status) {
    HttpResponse<String> r = Http.post(engine.apiUrl() + path, "application/json", body.encode(), "X-Api-Key", key);
    assertEquals(status, r.statusCode(), r.body());
    return Http.json(r);
  }

  /** The endpoint's first delivery once it has {@code status}. */
  static JsonObject awaitDelivery(String key, String endpointPath, String status) {
    HttpResponse<String> r = Http.poll(Duration.ofSeconds(60), x -> x.statusCode() == 200
        && Http.json(x).getJsonArray("data").size() > 0
        && status.equals(Http.json(x).getJsonArray("data").getJsonObject(0).getString("status")),
        engine.apiUrl() + endpointPath + "/deliveries", "X-Api-Key", key);
    return Http.json(r).getJsonArray("data").getJsonObject(0);
  }

  static JsonObject awaitAttempts(String key, String endpointPath, int attempts) {
    HttpResponse<String> r = Http.poll(Duration.ofSeconds(60), x -> x.statusCode() == 200
        && Http.json(x).getJsonArray("data").size() > 0
        && Http.json(x).getJsonArray("data").getJsonObject(0).getJsonArray("attempts").size() >= attempts,
        engine.apiUrl() + endpointPath + "/deliveries", "X-Api-Key", key);
    return Http.json(r).getJsonArray("data").getJsonObject(0);
  }
}
