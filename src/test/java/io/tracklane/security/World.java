package io.tracklane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tracklane.testing.Fixtures;
import io.tracklane.testing.Http;
import io.tracklane.testing.Sql;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The data the security suite attacks: one engine, two programs, each with a campaign, two
 * affiliates with a link, a coupon, a sale and a pending payout each, and a managed key.
 */
final class World implements AutoCloseable {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  /** One documented operation. */
  record Op(String id, String method, String path, List<String> queryParameters) {
    boolean partnerApi() {
      return path.startsWith("/affiliate/");
    }
  }

  /** One program's objects, by kind. */
  static final class Program {
    final Fixtures owner;
    final String campaignId;
    final List<String> affiliateIds = new ArrayList<>();
    final List<String> linkIds = new ArrayList<>();
    final List<String> couponIds = new ArrayList<>();
    final List<String> eventIds = new ArrayList<>();
    final List<String> commissionIds = new ArrayList<>();
    final List<String> payoutIds = new ArrayList<>();
    final List<String> rejectedIds = new ArrayList<>();
    /** Owner webhooks (a POST and a GET), each affiliate's postback, and one delivery per webhook. */
    final List<String> webhookIds = new ArrayList<>();
    final List<String> webhookSecrets = new ArrayList<>();
    final List<String> postbackIds = new ArrayList<>();
    final List<String> deliveryIds = new ArrayList<>();
    final String apiKeyId;

    Program(TestEngine engine, String name) {
      owner = new Fixtures(engine, "EUR");
      campaignId = owner.campaign(new JsonObject().put("name", name).put("payout_delay_days", 0)
          .put("allowed_domains", new io.vertx.core.json.JsonArray().add(name.toLowerCase() + ".example")))
          .getString("id");
      for (int i = 0; i < 2; i++) {
        String affiliate = owner.affiliate(campaignId, name.toLowerCase() + i + "@partner.example").getString("id");
        affiliateIds.add(affiliate);
        JsonObject link = owner.link(campaignId, affiliate);
        linkIds.add(link.getString("id"));
        couponIds.add(owner.create("/coupons", new JsonObject().put("campaign_id", campaignId)
            .put("affiliate_id", affiliate).put("code", name.toUpperCase() + i), 201).getString("id"));
        HttpResponse<String> sale = owner.postback("transaction_id=" + name + "-" + i
            + "&amount=10.00&customer_email=buyer" + i + "@shop.example&click_id=" + owner.click(link.getString("code")));
        assertEquals(200, sale.statusCode(), sale.body());
        eventIds.add(Http.json(sale).getString("event_id"));
      }
      Http.poll(Duration.ofSeconds(30), r -> Http.json(r).getJsonObject("pagination").getLong("total_count") == 2,
          engine.apiUrl() + "/commissions?status=due", "X-Api-Key", owner.ownerKey);
      HttpResponse<String> run = Http.post(engine.apiUrl() + "/payouts/run", "application/json", "{}",
          "X-Api-Key", owner.ownerKey);
      assertEquals(200, run.statusCode(), run.body());
      Http.json(run).getJsonArray("payout_ids").forEach(id -> payoutIds.add((String) id));
      Http.json(owner.ownerGet("/commissions")).getJsonArray("data")
          .forEach(c -> commissionIds.add(((JsonObject) c).getString("id")));
      for (int i = 0; i < 2; i++) {
        assertEquals(200, owner.postback("transaction_id=" + name + "-lost-" + i + "&amount=5.00&coupon=NOSUCH" + i)
            .statusCode());
      }
      Http.poll(Duration.ofSeconds(30), r -> Http.json(r).getJsonObject("pagination").getLong("total_count") >= 2,
          engine.apiUrl() + "/rejected_events", "X-Api-Key", owner.ownerKey);
      Http.json(owner.ownerGet("/rejected_events")).getJsonArray("data")
          .forEach(e -> rejectedIds.add(((JsonObject) e).getString("id")));
      apiKeyId = owner.create("/api_keys", new JsonObject().put("label", name + " dashboard").put("role", "reporting"),
          201).getString("id");
      for (String method : List.of("POST", "GET")) {
        JsonObject hook = owner.create("/webhooks", new JsonObject().put("url", "http://127.0.0.1:9/" + name
            + "?tx={transaction_id}").put("method", method).put("events", new io.vertx.core.json.JsonArray()
            .add("conversion")), 201);
        webhookIds.add(hook.getString("id"));
        if (hook.getString("secret") != null) {
          webhookSecrets.add(hook.getString("secret"));
        }
        // The webhooks role does not run here: the delivery is written as its consumer would.
        deliveryIds.add(String.valueOf(Sql.query(engine, "INSERT INTO webhook_deliveries (program_id, endpoint_id, "
            + "event_id, event, context, occurred_at, give_up_at) VALUES (?, ?, ?, 'conversion', '{}'::jsonb, now(), "
            + "now() + interval '1 day') RETURNING id", owner.programId, Long.parseLong(hook.getString("id")),
            "ev_world_" + name + method).get(0).get("id")));
      }
      for (String affiliate : affiliateIds) {
        HttpResponse<String> created = Http.post(engine.apiUrl() + "/affiliate/postbacks", "application/json",
            new JsonObject().put("url", "http://127.0.0.1:9/" + name + "/" + affiliate).put("method", "GET")
                .put("events", new io.vertx.core.json.JsonArray().add("conversion")).encode(),
            "X-Api-Key", engine.affiliateKey(owner.programId, Long.parseLong(affiliate)));
        assertEquals(201, created.statusCode(), created.body());
        postbackIds.add(Http.json(created).getString("id"));
      }
    }
  }

  /**
   * Where each kind of id comes from (the object of index {@code which} where a program has several);
   * a new id parameter in the document fails {@link #path} until it is listed here.
   */
  static final Map<String, BiFunction<Program, Integer, String>> IDS = Map.ofEntries(
      Map.entry("campaign_id", (p, which) -> p.campaignId),
      Map.entry("affiliate_id", (p, which) -> p.affiliateIds.get(which)),
      Map.entry("link_id", (p, which) -> p.linkIds.get(which)),
      Map.entry("coupon_id", (p, which) -> p.couponIds.get(which)),
      Map.entry("commission_id", (p, which) -> p.commissionIds.get(which)),
      Map.entry("payout_id", (p, which) -> p.payoutIds.get(which)),
      Map.entry("event_id", (p, which) -> p.eventIds.get(which)),
      Map.entry("rejected_event_id", (p, which) -> p.rejectedIds.get(which)),
      Map.entry("key_id", (p, which) -> p.apiKeyId),
      Map.entry("webhook_id", (p, which) -> p.webhookIds.get(which)),
      // The suite's affiliate keys are the first affiliate's: its own postback, whatever the index.
      Map.entry("postback_id", (p, which) -> p.postbackIds.get(0)),
      Map.entry("delivery_id", (p, which) -> p.deliveryIds.get(which)),
      Map.entry("base", (p, which) -> "USD"),
      Map.entry("quote", (p, which) -> "EUR"));
  private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([a-z_]+)}");

  final TestEngine engine;
  final Program a;
  final Program b;

  World(Class<?> testClass, Map<String, String> overrides) {
    Map<String, String> settings = new java.util.HashMap<>(Map.of("ledger.due_job_ms", "200",
        "ledger.payout_job_ms", "0", "webhooks.allow_hosts", "127.0.0.1"));
    settings.putAll(overrides);
    engine = TestEngine.start(testClass, settings);
    a = new Program(engine, "Alpha");
    b = new Program(engine, "Beta");
  }

  /** Every operation of the served document, so a new endpoint is attacked as soon as it is documented. */
  List<Op> operations() {
    HttpResponse<String> r = Http.get(engine.apiUrl() + "/openapi.yaml");
    assertEquals(200, r.statusCode());
    JsonNode paths;
    try {
      paths = new ObjectMapper(new YAMLFactory()).readTree(r.body()).path("paths");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    List<Op> ops = new ArrayList<>();
    paths.fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(m -> {
      if (METHODS.contains(m.getKey())) {
        List<String> query = new ArrayList<>();
        m.getValue().path("parameters").forEach(p -> {
          if (p.path("in").asText().equals("query")) {
            query.add(p.path("name").asText());
          }
        });
        ops.add(new Op(m.getValue().path("operationId").asText(), m.getKey(), path.getKey(), query));
      }
    }));
    return ops;
  }

  /** The operation's path with the ids of {@code p}'s objects of index {@code which}. */
  static String path(Op op, Program p, int which) {
    Matcher m = PATH_PARAMETER.matcher(op.path());
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      BiFunction<Program, Integer, String> id = IDS.get(m.group(1));
      assertNotNull(id, "no id source for the new path parameter {" + m.group(1) + "} of " + op.id());
      m.appendReplacement(out, id.apply(p, which));
    }
    return m.appendTail(out).toString();
  }

  /** Sends {@code method} to {@code path} (below /api/v1) with a JSON body for writes. */
  HttpResponse<String> call(String method, String path, String body, String key) {
    String url = engine.apiUrl() + path;
    String[] auth = key == null ? new String[0] : Http.basic(key);
    return switch (method) {
      case "get" -> Http.get(url, auth);
      case "post" -> Http.post(url, "application/json", body, auth);
      case "put" -> Http.put(url, "application/json", body, auth);
      case "delete" -> Http.delete(url, auth);
      default -> throw new IllegalStateException(method);
    };
  }

  /**
   * A fingerprint of every table the API can change, for "nothing changed": row counts and the
   * latest update of each.
   */
  String snapshot() {
    StringBuilder out = new StringBuilder();
    // Keys minus their usage columns, which the engine updates on every authenticated request.
    Map<String, String> tables = new java.util.LinkedHashMap<>();
    for (String table : List.of("programs", "campaigns", "affiliates", "enrollments", "links", "coupons",
        "commissions", "payouts", "fx_rates", "audit_log", "webhook_endpoints", "webhook_deliveries")) {
      tables.put(table, "SELECT * FROM " + table);
    }
    tables.put("api_keys", "SELECT id, program_id, role, affiliate_id, label, key_hash, ip_allowlist, revoked_at "
        + "FROM api_keys");
    tables.forEach((table, select) -> out.append(table).append('=').append(Sql.query(engine,
        "SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM ("
            + select + ") t").get(0).get("h")).append(' '));
    return out.toString();
  }

  @Override
  public void close() {
    engine.close();
  }
}
