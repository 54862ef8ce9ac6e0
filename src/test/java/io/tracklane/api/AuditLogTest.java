package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.AuditRefusal;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.Sql;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every change leaves one audit entry, written with it or not at all; the log reads back as pages and CSV. */
@Timeout(120)
class AuditLogTest {
  private static final String FORWARDED = "203.0.113.7";
  private static TestEngine engine;

  @BeforeAll
  static void start() {
    // The test client connects from 127.0.0.1: as a trusted proxy, its X-Forwarded-For names the caller.
    engine = TestEngine.start(AuditLogTest.class, Map.of("edge.trusted_proxies", "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void aSuccessfulUpdateLeavesExactlyOneEntryWithBeforeAfterKeyAndAddress() {
    Fixtures f = new Fixtures(engine, "EUR");
    String id = f.campaign(new JsonObject().put("cookie_window_days", 30)).getString("id");
    HttpResponse<String> r = Http.put(engine.apiUrl() + "/campaigns/" + id, "application/json",
        "{\"cookie_window_days\":60}", "X-Api-Key", f.ownerKey, "X-Forwarded-For", FORWARDED);
    assertEquals(200, r.statusCode(), r.body());

    JsonArray entries = entries(f, "entity=campaign&entity_id=" + id + "&action=campaign.updated");
    assertEquals(1, entries.size(), entries.encode());
    JsonObject entry = entries.getJsonObject(0);
    assertEquals(30, entry.getJsonObject("before").getInteger("cookie_window_days"));
    assertEquals(60, entry.getJsonObject("after").getInteger("cookie_window_days"));
    assertEquals(Http.json(r), entry.getJsonObject("after"), "after is the campaign as it was answered");
    assertEquals(ownerKeyId(f), entry.getString("key_id"));
    assertEquals("first admin key", entry.getString("key_label"));
    assertEquals(FORWARDED, entry.getString("ip"));
    assertEquals(1, entries(f, "entity=campaign&entity_id=" + id + "&action=campaign.created").size());
  }

  @Test
  void aRefusedChangeLeavesNoEntry() {
    Fixtures f = new Fixtures(engine, "EUR");
    String id = f.campaign(new JsonObject()).getString("id");
    HttpResponse<String> r = Http.put(engine.apiUrl() + "/campaigns/" + id, "application/json",
        "{\"commission_percent\":250}", "X-Api-Key", f.ownerKey);
    assertEquals(400, r.statusCode(), r.body());
    f.create("/coupons", new JsonObject().put("campaign_id", id).put("affiliate_id",
        f.affiliate(id, "dup@partner.example").getString("id")).put("code", "DUP"), 201);
    f.create("/coupons", new JsonObject().put("campaign_id", id).put("affiliate_id",
        f.affiliate(id, "dup2@partner.example").getString("id")).put("code", "DUP"), 409);

    assertEquals(0, entries(f, "entity=campaign&action=campaign.updated").size());
    assertEquals(1, entries(f, "entity=coupon").size(), "only the coupon that was created");
  }

  @Test
  void aChangeWhoseEntryCannotBeWrittenDoesNotHappen() {
    Fixtures f = new Fixtures(engine, "EUR");
    String id = f.campaign(new JsonObject().put("name", "Kept")).getString("id");
    try (AuditRefusal refusal = AuditRefusal.of(engine, f.programId)) {
      HttpResponse<String> r = Http.put(engine.apiUrl() + "/campaigns/" + id, "application/json",
          "{\"name\":\"Changed\"}", "X-Api-Key", f.ownerKey);
      assertEquals(500, r.statusCode(), r.body());
    }
    assertEquals("Kept", Http.json(f.ownerGet("/campaigns/" + id)).getString("name"));
  }

  @Test
  void filtersSelectByEntityKeyActionAndTimeNewestFirstWithinTheProgram() {
    Fixtures f = new Fixtures(engine, "EUR");
    String campaign = f.campaign(new JsonObject()).getString("id");
    String affiliate = f.affiliate(campaign, "filters@partner.example").getString("id");
    f.link(campaign, affiliate);
    Instant between = Instant.now();
    Http.sleep(20);
    HttpResponse<String> r = Http.put(engine.apiUrl() + "/affiliates/" + affiliate, "application/json",
        "{\"state\":\"disabled\"}", "X-Api-Key", f.ownerKey);
    assertEquals(200, r.statusCode(), r.body());

    List<String> actions = actions(entries(f, ""));
    assertEquals(List.of("affiliate.updated", "link.created", "affiliate.enrolled", "campaign.created",
        "api_key.created", "program.created"), actions, "newest first");
    assertEquals(List.of("affiliate.updated", "affiliate.enrolled"), actions(entries(f, "entity=affiliate")));
    assertEquals(List.of("affiliate.updated"), actions(entries(f, "action=affiliate.updated")));
    assertEquals(List.of("affiliate.updated", "affiliate.enrolled"),
        actions(entries(f, "entity=affiliate&entity_id=" + affiliate)));
    assertEquals(List.of("affiliate.updated", "link.created", "affiliate.enrolled", "campaign.created"),
        actions(entries(f, "key_id=" + ownerKeyId(f))));
    assertEquals(List.of("affiliate.updated"), actions(entries(f, "created_after=" + encode(between))));
    assertEquals(5, entries(f, "created_before=" + encode(between)).size());
    assertEquals(0, entries(f, "key_id=999999999").size());

    Fixtures other = new Fixtures(engine, "EUR");
    assertEquals(List.of("api_key.created", "program.created"), actions(entries(other, "")),
        "another program sees only its own entries");
    assertEquals(0, entries(other, "entity=affiliate&entity_id=" + affiliate).size());
  }

  @Test
  void pagesCarryTheSeedEnvelopeAndBadFiltersAre400() {
    Fixtures f = new Fixtures(engine, "EUR");
    JsonObject page = Http.json(f.ownerGet("/audit_log?limit=1&page=2"));
    assertEquals(1, page.getJsonArray("data").size());
    assertEquals(2, page.getJsonObject("pagination").getLong("total_count"));
    assertEquals(2, page.getJsonObject("pagination").getLong("total_pages"));
    assertEquals("program.created", page.getJsonArray("data").getJsonObject(0).getString("action"));
    assertEquals(400, f.ownerGet("/audit_log?created_after=2026-01-01").statusCode());
    assertEquals(400, f.ownerGet("/audit_log?key_id=abc").statusCode());
    assertEquals(400, f.ownerGet("/audit_log?limit=101").statusCode());
  }

  @Test
  void theCommandLineRecordsWhatItCreatesWithoutAKey() {
    Fixtures f = new Fixtures(engine, "EUR");
    String campaign = f.campaign(new JsonObject()).getString("id");
    String affiliate = f.affiliate(campaign, "cli@partner.example").getString("id");
    String ak = engine.affiliateKey(f.programId, Long.parseLong(affiliate));

    JsonArray keys = entries(f, "entity=api_key");
    assertEquals(2, keys.size(), keys.encode());
    JsonObject affiliateKey = keys.getJsonObject(0);
    assertNull(affiliateKey.getValue("key_id"));
    assertEquals("command line: create-program", affiliateKey.getString("key_label"));
    assertEquals(affiliate, affiliateKey.getJsonObject("after").getString("affiliate_id"));
    assertEquals("affiliate", affiliateKey.getJsonObject("after").getString("role"));
    assertEquals(ak.substring(0, 10), affiliateKey.getJsonObject("after").getString("display_prefix"));
    JsonObject program = entries(f, "entity=program").getJsonObject(0);
    assertEquals(Long.toString(f.programId), program.getString("entity_id"));
    assertEquals("EUR", program.getJsonObject("after").getString("currency"));
    assertFalse(program.getJsonObject("after").encode().contains(f.postbackToken), "no secret in the log");
    assertFalse(keys.encode().contains(f.ownerKey) || keys.encode().contains(ak), "no key in the log");
  }

  @Test
  void csvExportHasAHeaderAndEveryMatchingEntryWithItsJsonQuoted() {
    Fixtures f = new Fixtures(engine, "EUR");
    String campaign = f.campaign(new JsonObject().put("name", "Quotes \"and\", commas")).getString("id");
    for (int i = 0; i < 30; i++) {
      Http.put(engine.apiUrl() + "/campaigns/" + campaign, "application/json",
          new JsonObject().put("cookie_window_days", 31 + i).encode(), "X-Api-Key", f.ownerKey);
    }
    HttpResponse<String> csv = Http.get(engine.apiUrl() + "/audit_log?entity=campaign&limit=1", "X-Api-Key",
        f.ownerKey, "Accept", "text/csv");
    assertEquals(200, csv.statusCode(), csv.body());
    assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
    List<List<String>> rows = parseCsv(csv.body());
    assertEquals(AuditLogHandler.CSV_COLUMNS, rows.get(0));
    assertEquals(31, rows.size() - 1, "every matching entry, not one page");

    JsonObject newest = entries(f, "entity=campaign&limit=1").getJsonObject(0);
    List<String> first = rows.get(1);
    assertEquals(newest.getString("id"), first.get(0));
    assertEquals(newest.getJsonObject("before"), new JsonObject(first.get(8)));
    assertEquals(newest.getJsonObject("after"), new JsonObject(first.get(9)));
    assertEquals("Quotes \"and\", commas", new JsonObject(rows.get(31).get(9)).getString("name"));
    assertEquals("campaign.created", rows.get(31).get(5));
    HttpResponse<String> json = Http.get(engine.apiUrl() + "/audit_log?entity=campaign", "X-Api-Key", f.ownerKey,
        "Accept", "text/csv;q=0.5, application/json");
    assertTrue(json.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), json.body());
    HttpResponse<String> preferred = Http.get(engine.apiUrl() + "/audit_log?entity=campaign", "X-Api-Key",
        f.ownerKey, "Accept", "application/json;q=0.5, text/csv");
    assertTrue(preferred.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
  }

  @Test
  void aClientThatLeavesAnExportMidwayFreesItsDatabaseConnection() throws Exception {
    Fixtures f = new Fixtures(engine, "EUR");
    // Far more CSV than the socket buffers hold, so the export is still reading when the client leaves.
    sql("INSERT INTO audit_log (program_id, action, entity_type, entity_id, after) SELECT " + f.programId
        + ", 'bulk.loaded', 'bulk', g::text, jsonb_build_object('pad', repeat('x', 300))"
        + " FROM generate_series(1, 200000) g");
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", engine.config().http().apiPort()));
      socket.getOutputStream().write(("GET /api/v1/audit_log?entity=bulk HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n"
          + "X-Api-Key: " + f.ownerKey + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          StandardCharsets.ISO_8859_1)).readLine();
      assertEquals("HTTP/1.1 200 OK", status);
      awaitExports(1);
    }
    awaitExports(0);
  }

  /** Waits until this many exports hold a database connection. */
  private static void awaitExports(long expected) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    long open = -1;
    while (System.nanoTime() < deadline) {
      open = Sql.query(engine, "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()"
          + " AND state <> 'idle' AND query LIKE 'SELECT l.id, l.actor_key_id%' AND query LIKE '%l.entity_type = $2%'")
          .stream().mapToLong(r -> ((Number) r.get("n")).longValue()).sum();
      if (open == expected) {
        return;
      }
      Http.sleep(100);
    }
    throw new AssertionError("expected " + expected + " open exports, found " + open);
  }

  private static JsonArray entries(Fixtures f, String query) {
    HttpResponse<String> r = f.ownerGet("/audit_log?limit=100&" + query);
    assertEquals(200, r.statusCode(), r.body());
    return Http.json(r).getJsonArray("data");
  }

  private static List<String> actions(JsonArray entries) {
    return entries.stream().map(e -> ((JsonObject) e).getString("action")).toList();
  }

  private static String ownerKeyId(Fixtures f) {
    return Sql.query(engine, "SELECT min(id) AS id FROM api_keys WHERE program_id = ?", f.programId).get(0)
        .get("id").toString();
  }

  private static String encode(Instant at) {
    return URLEncoder.encode(at.toString(), StandardCharsets.UTF_8);
  }

  private static void sql(String statement) {
    TestEngine.await(engine.engine().pool().query(statement).execute());
  }

  /** RFC 4180: quoted cells may hold commas, doubled quotes and line breaks. */
  static List<List<String>> parseCsv(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.add(cell.toString());
        cell.setLength(0);
      } else if (c == '\n') {
        row.add(cell.toString());
        cell.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
      } else if (c != '\r') {
        cell.append(c);
      }
    }
    return rows;
  }
}
