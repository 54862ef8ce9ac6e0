package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.domain.Secrets;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.Sql;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keys managed through the API, on two engines sharing a schema and Redis (the second runs only the
 * API, on other ports, and trusts 127.0.0.1 as a load balancer): shown once, stored as hashes,
 * revoked everywhere within a second, rotated by affiliates, allowlisted, expiring, counted.
 */
@Timeout(120)
class ApiKeysTest {
  private static final Set<String> LISTED_FIELDS = Set.of("id", "prefix", "label", "role", "affiliate_id",
      "ip_allowlist", "rate_limit", "created_at", "expires_at", "last_used_at", "request_count", "revoked_at");

  private static TestEngine engine;
  private static TestEngine other;
  private static Fixtures owner;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(ApiKeysTest.class);
    other = engine.startAnother(ApiKeysTest.class, Map.of("roles", "api", "edge.trusted_proxies", "127.0.0.1"));
    owner = new Fixtures(engine, "EUR");
  }

  @AfterAll
  static void stop() {
    other.close();
    engine.close();
  }

  @Test
  void anOwnerKeyIsShownOnceListedWithoutItsSecretAndStoredOnlyAsItsHash() {
    JsonObject created = owner.create("/api_keys", new JsonObject().put("label", "dashboard").put("role", "reporting"),
        201);
    String secret = created.getString("key");
    assertTrue(secret.startsWith("sk_") && secret.length() >= 46, secret);
    assertTrue(secret.startsWith(created.getString("prefix")));
    assertEquals("reporting", created.getString("role"));
    assertEquals("dashboard", created.getString("label"));
    assertEquals(new JsonArray(), created.getJsonArray("ip_allowlist"));
    assertEquals(0L, created.getLong("request_count"));
    assertNull(created.getString("revoked_at"));
    assertEquals(200, get(engine, "/campaigns", secret).statusCode());

    JsonObject listed = listed(created.getString("id"));
    assertEquals(LISTED_FIELDS, listed.fieldNames());
    assertFalse(listed.encode().contains(secret.substring(10)), "no part of the secret past its prefix");
    List<Map<String, Object>> stored = Sql.query(engine, "SELECT key_hash FROM api_keys WHERE id = ?",
        Long.parseLong(created.getString("id")));
    assertEquals(Secrets.hash(secret), stored.get(0).get("key_hash"));
  }

  @Test
  void aRevokedKeyIsRefusedByEveryInstanceWithinASecondAndTheRevocationIsAudited() {
    JsonObject created = owner.create("/api_keys", new JsonObject().put("label", "ci").put("role", "manager"), 201);
    String secret = created.getString("key");
    String id = created.getString("id");
    assertEquals(200, get(other, "/campaigns", secret).statusCode(), "now cached by the other instance");
    assertEquals(200, get(engine, "/campaigns", secret).statusCode());

    HttpResponse<String> revoked = Http.delete(engine.apiUrl() + "/api_keys/" + id, "X-Api-Key", owner.ownerKey);
    long at = System.nanoTime();
    assertEquals(200, revoked.statusCode(), revoked.body());
    assertNotNull(Http.json(revoked).getString("revoked_at"));
    Http.poll(Duration.ofSeconds(1), r -> r.statusCode() == 401, other.apiUrl() + "/campaigns", "X-Api-Key", secret);
    assertTrue(System.nanoTime() - at < 1_000_000_000L);
    assertEquals(401, get(engine, "/campaigns", secret).statusCode());

    HttpResponse<String> again = Http.delete(other.apiUrl() + "/api_keys/" + id, "X-Api-Key", owner.ownerKey);
    assertEquals(200, again.statusCode(), "revoking twice answers the key as it is");
    assertEquals(Http.json(revoked).getString("revoked_at"), Http.json(again).getString("revoked_at"));
    assertEquals(404, Http.delete(engine.apiUrl() + "/api_keys/999999999", "X-Api-Key", owner.ownerKey).statusCode());
    List<Map<String, Object>> audit = Sql.query(engine, "SELECT action, actor_key_id, after FROM audit_log "
        + "WHERE entity_type = 'api_key' AND entity_id = ? ORDER BY id", id);
    assertEquals(List.of("api_key.created", "api_key.revoked"), audit.stream().map(r -> r.get("action")).toList());
    assertFalse(String.valueOf(audit.get(0).get("after")).contains(secret.substring(10)), "no secret in the log");
  }

  @Test
  void anAffiliateRotatesItsOwnKeyAndTheOldOneStopsAtOnce() {
    String affiliateId = affiliate("rotate@partner.example");
    JsonObject created = owner.create("/api_keys", new JsonObject().put("label", "partner").put("affiliate_id",
        affiliateId).put("rate_limit", 500), 201);
    String old = created.getString("key");
    assertTrue(old.startsWith("ak_"));
    assertEquals("affiliate", created.getString("role"));
    assertEquals(affiliateId, created.getString("affiliate_id"));
    assertEquals(404, get(other, "/affiliate/no-such-thing", old).statusCode(), "authenticated, cached there");

    HttpResponse<String> rotated = Http.post(engine.apiUrl() + "/affiliate/api-key", "application/json", "",
        "X-Api-Key", old);
    assertEquals(201, rotated.statusCode(), rotated.body());
    JsonObject successor = Http.json(rotated);
    String fresh = successor.getString("key");
    assertTrue(fresh.startsWith("ak_") && !fresh.equals(old));
    assertEquals("partner", successor.getString("label"));
    assertEquals(500, successor.getInteger("rate_limit"));
    assertEquals(affiliateId, successor.getString("affiliate_id"));
    assertEquals(401, get(engine, "/affiliate/no-such-thing", old).statusCode());
    Http.poll(Duration.ofSeconds(1), r -> r.statusCode() == 401, other.apiUrl() + "/affiliate/x", "X-Api-Key", old);
    assertEquals(404, get(other, "/affiliate/no-such-thing", fresh).statusCode());
    assertNotNull(listed(created.getString("id")).getString("revoked_at"));
    assertNull(listed(successor.getString("id")).getString("revoked_at"));
    assertEquals(403, Http.post(engine.apiUrl() + "/affiliate/api-key", "application/json", "",
        "X-Api-Key", owner.ownerKey).statusCode(), "owner keys are not rotated here");
  }

  @Test
  void keysAreManagedByAdminKeysOnly() {
    String manager = owner.create("/api_keys", new JsonObject().put("label", "m").put("role", "manager"), 201)
        .getString("key");
    assertEquals(403, get(engine, "/api_keys", manager).statusCode());
    assertEquals(403, Http.post(engine.apiUrl() + "/api_keys", "application/json",
        new JsonObject().put("label", "escalate").put("role", "admin").encode(), "X-Api-Key", manager).statusCode());
  }

  @Test
  void invalidKeyRequestsAre400AndIssueNothing() {
    Fixtures stranger = new Fixtures(engine, "EUR");
    JsonObject campaign = stranger.campaign(new JsonObject());
    String foreignAffiliate = stranger.affiliate(campaign.getString("id"), "foreign@partner.example").getString("id");
    long before = count();
    // {body, what the error must name}: the field at fault, or for the role/affiliate_id choice
    // either of the two.
    String[][] cases = {
        {"{\"label\":\"x\",\"role\":\"admin\",\"affiliate_id\":\"1\"}", "role|affiliate_id"},
        {"{\"label\":\"x\"}", "role|affiliate_id"},
        {"{\"label\":\"x\",\"role\":\"owner\"}", "role"},
        {"{\"role\":\"admin\"}", "label"},
        {"{\"label\":\"x\",\"role\":\"admin\",\"ip_allowlist\":[\"example.com\"]}", "ip_allowlist"},
        {"{\"label\":\"x\",\"role\":\"admin\",\"ip_allowlist\":[\"10.0.0.0/33\"]}", "ip_allowlist"},
        {"{\"label\":\"x\",\"role\":\"admin\",\"ip_allowlist\":\"10.0.0.1\"}", "ip_allowlist"},
        {"{\"label\":\"x\",\"role\":\"admin\",\"expires_at\":\"2020-01-01T00:00:00Z\"}", "expires_at"},
        {"{\"label\":\"x\",\"role\":\"admin\",\"expires_at\":\"tomorrow\"}", "expires_at"},
        {"{\"label\":\"x\",\"role\":\"admin\",\"rate_limit\":0}", "rate_limit"},
        {"{\"label\":\"x\",\"role\":\"admin\",\"key_hash\":\"abc\"}", "key_hash"},
        {"{\"label\":\"x\",\"affiliate_id\":\"" + foreignAffiliate + "\"}", "affiliate_id"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = Http.post(engine.apiUrl() + "/api_keys", "application/json", c[0],
          "X-Api-Key", owner.ownerKey);
      assertEquals(400, r.statusCode(), c[0] + " -> " + r.body());
      String error = Http.json(r).getString("error");
      assertTrue(Arrays.stream(c[1].split("\\|")).anyMatch(error::contains), c[0] + " -> " + error);
    }
    assertEquals(before, count());
  }

  @Test
  void anotherProgramsKeysCanBeNeitherListedNorRevoked() {
    Fixtures stranger = new Fixtures(engine, "EUR");
    JsonObject theirs = stranger.create("/api_keys", new JsonObject().put("label", "theirs").put("role", "admin"), 201);
    String id = theirs.getString("id");
    assertEquals(404, Http.delete(engine.apiUrl() + "/api_keys/" + id, "X-Api-Key", owner.ownerKey).statusCode());
    assertFalse(Http.json(owner.ownerGet("/api_keys?limit=100")).encode().contains(theirs.getString("prefix")));
    assertEquals(200, get(engine, "/campaigns", theirs.getString("key")).statusCode(), "still working");
  }

  @Test
  void anExpiredKeyIsRefused() {
    JsonObject created = owner.create("/api_keys", new JsonObject().put("label", "short").put("role", "reporting")
        .put("expires_at", Instant.now().plusSeconds(2).toString()), 201);
    String secret = created.getString("key");
    assertNotNull(created.getString("expires_at"));
    assertEquals(200, get(engine, "/campaigns", secret).statusCode());
    HttpResponse<String> expired = Http.poll(Duration.ofSeconds(6), r -> r.statusCode() != 200,
        engine.apiUrl() + "/campaigns", "X-Api-Key", secret);
    assertEquals(401, expired.statusCode());
    assertEquals("API key expired", Http.json(expired).getString("error"));
  }

  @Test
  void anIpAllowlistAdmitsItsAddressesAndRangesAndBelievesForwardedForOnlyFromATrustedProxy() {
    String local = keyAllowing("127.0.0.1");
    String remote = keyAllowing("10.0.0.0/8", "203.0.113.5");
    assertEquals(200, get(engine, "/campaigns", local).statusCode());
    HttpResponse<String> refused = get(engine, "/campaigns", remote);
    assertEquals(403, refused.statusCode());
    assertEquals("this key is not allowed from 127.0.0.1", Http.json(refused).getString("error"));
    assertEquals(403, get(engine, "/campaigns", remote, "X-Forwarded-For", "203.0.113.5").statusCode(),
        "this engine trusts no proxy, so anyone could have written the header");

    assertEquals(200, get(other, "/campaigns", remote, "X-Forwarded-For", "203.0.113.5").statusCode());
    assertEquals(200, get(other, "/campaigns", remote, "X-Forwarded-For", "10.20.30.40").statusCode());
    assertEquals(403, get(other, "/campaigns", remote, "X-Forwarded-For", "198.51.100.1").statusCode());
    assertEquals(403, get(other, "/campaigns", remote, "X-Forwarded-For", "203.0.113.5, 198.51.100.1").statusCode(),
        "the proxy appended the real client; what the client wrote before it proves nothing");
    assertEquals(403, get(other, "/campaigns", local, "X-Forwarded-For", "198.51.100.1").statusCode());
  }

  @Test
  void usageIsCountedInBatchesAcrossInstances() {
    JsonObject created = owner.create("/api_keys", new JsonObject().put("label", "busy").put("role", "reporting"),
        201);
    String secret = created.getString("key");
    for (int i = 0; i < 7; i++) {
      assertEquals(200, get(i % 2 == 0 ? engine : other, "/campaigns", secret).statusCode());
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    JsonObject listed = listed(created.getString("id"));
    while (listed.getLong("request_count") < 7 && System.nanoTime() < deadline) {
      Http.sleep(100);
      listed = listed(created.getString("id"));
    }
    assertEquals(7L, listed.getLong("request_count"));
    assertFalse(Instant.parse(listed.getString("last_used_at")).isBefore(Instant.parse(listed.getString("created_at"))));
  }

  @Test
  void anUnknownKeyHammeredReachesPostgresOnceAndAKnownKeyToo() {
    String unknown = "sk_" + "x".repeat(43);
    double before = other.metric("tracklane_api_key_lookups_total");
    for (int i = 0; i < 50; i++) {
      assertEquals(401, get(other, "/campaigns", unknown).statusCode());
    }
    assertEquals(1, other.metric("tracklane_api_key_lookups_total") - before, 0.0);

    String known = owner.create("/api_keys", new JsonObject().put("label", "k").put("role", "reporting"), 201)
        .getString("key");
    double beforeKnown = other.metric("tracklane_api_key_lookups_total");
    for (int i = 0; i < 30; i++) {
      assertEquals(200, get(other, "/campaigns", known).statusCode());
    }
    assertEquals(1, other.metric("tracklane_api_key_lookups_total") - beforeKnown, 0.0);
  }

  private static HttpResponse<String> get(TestEngine on, String path, String key, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "X-Api-Key";
    all[1] = key;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return Http.get(on.apiUrl() + path, all);
  }

  private static JsonObject listed(String id) {
    JsonArray data = Http.json(owner.ownerGet("/api_keys?limit=100")).getJsonArray("data");
    for (int i = 0; i < data.size(); i++) {
      if (id.equals(data.getJsonObject(i).getString("id"))) {
        return data.getJsonObject(i);
      }
    }
    throw new AssertionError("key " + id + " not listed");
  }

  private static long count() {
    return Http.json(owner.ownerGet("/api_keys")).getJsonObject("pagination").getLong("total_count");
  }

  private static String keyAllowing(String... entries) {
    return owner.create("/api_keys", new JsonObject().put("label", "allow").put("role", "reporting")
        .put("ip_allowlist", new JsonArray(List.of((Object[]) entries))), 201).getString("key");
  }

  private static String affiliate(String email) {
    JsonObject campaign = owner.campaign(new JsonObject());
    return owner.affiliate(campaign.getString("id"), email).getString("id");
  }
}
