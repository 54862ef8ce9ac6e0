package io.tracklane.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Builds a program's campaign, affiliate and link through the public API, as an owner would. */
public final class Fixtures {
  private final TestEngine engine;
  public final long programId;
  public final String ownerKey;
  public final String postbackToken;
  public final String postbackSecret;

  public Fixtures(TestEngine engine, String currency) {
    this(engine, currency, "Europe/Paris");
  }

  /** A program in {@code timeZone}, the zone its days and months are cut in. */
  public Fixtures(TestEngine engine, String currency, String timeZone) {
    this.engine = engine;
    JsonObject program = engine.createProgram("Program " + System.nanoTime(), timeZone, currency);
    this.programId = Long.parseLong(program.getString("program_id"));
    this.ownerKey = program.getString("api_key");
    this.postbackToken = program.getString("postback_token");
    this.postbackSecret = program.getString("postback_secret");
  }

  /** POSTs to an owner endpoint and asserts the status; returns the JSON answer. */
  public JsonObject create(String path, JsonObject body, int expectedStatus) {
    HttpResponse<String> r = Http.post(engine.apiUrl() + path, "application/json", body.encode(),
        "X-Api-Key", ownerKey);
    assertEquals(expectedStatus, r.statusCode(), r.body());
    return Http.json(r);
  }

  public JsonObject campaign(JsonObject fields) {
    JsonObject body = new JsonObject().put("name", "Campaign").put("landing_page_url", "https://shop.example/land")
        .put("reward_type", "percent").put("commission_percent", 15).put("cookie_window_days", 30);
    return create("/campaigns", body.mergeIn(fields), 201);
  }

  public JsonObject affiliate(String campaignId, String email) {
    return create("/affiliates", new JsonObject().put("campaign_id", campaignId).put("email", email)
        .put("first_name", "Jane").put("last_name", "Doe"), 201);
  }

  public JsonObject link(String campaignId, String affiliateId) {
    return create("/affiliate_links", new JsonObject().put("campaign_id", campaignId)
        .put("affiliate_id", affiliateId), 201);
  }

  public HttpResponse<String> ownerGet(String pathAndQuery) {
    return Http.get(engine.apiUrl() + pathAndQuery, "X-Api-Key", ownerKey);
  }

  /** Follows a tracking link and returns the click id the redirect carried. */
  public String click(String code) {
    HttpResponse<String> r = Http.get(engine.edgeUrl() + "/r/" + code);
    assertEquals(302, r.statusCode(), r.body());
    return query(r.headers().firstValue("Location").orElseThrow()).get("click_id");
  }

  public HttpResponse<String> postback(String form) {
    return Http.post(engine.edgeUrl() + "/postback", "application/x-www-form-urlencoded", form,
        "X-Postback-Token", postbackToken);
  }

  /** Reports a sale credited through a fresh click on the link, and asserts the edge accepted it. */
  public void sale(String code, String transactionId, String amount) {
    HttpResponse<String> r = postback("transaction_id=" + transactionId + "&amount=" + amount + "&click_id="
        + click(code));
    assertEquals(200, r.statusCode(), r.body());
  }

  /** Waits until exactly {@code count} commissions have {@code status}, and returns them. */
  public List<JsonObject> awaitCommissions(String status, int count) {
    HttpResponse<String> r = Http.poll(Duration.ofSeconds(30), x -> Http.json(x).getJsonObject("pagination")
        .getLong("total_count") == count, engine.apiUrl() + "/commissions?limit=100&status=" + status,
        "X-Api-Key", ownerKey);
    return Http.json(r).getJsonArray("data").stream().map(JsonObject.class::cast).toList();
  }

  public static Map<String, String> query(String url) {
    String q = URI.create(url).getRawQuery();
    Map<String, String> out = new java.util.HashMap<>();
    if (q != null) {
      for (String pair : q.split("&")) {
        int eq = pair.indexOf('=');
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
