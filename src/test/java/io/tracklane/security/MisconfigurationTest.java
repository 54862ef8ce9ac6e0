package io.tracklane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.testing.Http;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * OWASP API8:2023, security misconfiguration. Malformed requests on the API, the edge and the ops
 * port get a 4xx whose status line, headers and body name no exception, class, stack frame,
 * framework or runtime version, or SQL; unknown methods are 404/405, never 500; the ops port is not
 * reachable off loopback.
 */
@Timeout(300)
class MisconfigurationTest {
  /** What an answer must never carry: stack traces, class names, versions, SQL. */
  private static final Pattern LEAK = Pattern.compile(
      "exception|\\tat |\\bat (io|java|jdk|org|com)\\.|io\\.vertx|io\\.netty|io\\.tracklane|java\\.|jdk|openjdk"
          + "|vert\\.?x|netty|jackson|postgres|psql|sqlstate|select .* from|insert into|update .* set|syntax error"
          + "|redis|kafka|x-powered-by|server:",
      Pattern.CASE_INSENSITIVE);

  private static World world;
  private static String auth;

  /** A request written byte for byte. */
  record Probe(String name, int port, String method, String target, String contentType, byte[] body,
      boolean authenticated) {
  }

  @BeforeAll
  static void start() {
    world = new World(MisconfigurationTest.class, Map.of());
    auth = "Authorization: " + Http.basic(world.engine.ownerKey(world.a.owner.programId, "admin"))[1];
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  private static List<Probe> probes() {
    int api = world.engine.config().http().apiPort();
    int edge = world.engine.config().http().edgePort();
    int ops = world.engine.config().http().opsPort();
    List<Probe> out = new ArrayList<>();
    String campaigns = "/api/v1/campaigns";
    String json = "application/json";
    for (String body : List.of("{", "{\"name\":", "[1,2]", "null", "\"text\"", "{\"name\":\"a\u0000b\"}",
        "{\"name\":\"\\u0000\"}", "{\"name\":" + "[".repeat(5000) + "}", "{\"commission_amount_cents\":1e400}",
        "{\"commission_amount_cents\":99999999999999999999999999}")) {
      out.add(new Probe("bad JSON " + abbreviate(body), api, "POST", campaigns, json, bytes(body), true));
    }
    out.add(new Probe("a NUL byte in the body", api, "POST", campaigns, json, new byte[] {'{', 0, '}'}, true));
    out.add(new Probe("invalid UTF-8", api, "POST", campaigns, json, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28,
        '"', ':', '1', '}'}, true));
    out.add(new Probe("XML", api, "POST", campaigns, "application/xml", bytes("<a/>"), true));
    out.add(new Probe("no content type", api, "POST", campaigns, null, bytes("{}"), true));
    for (String target : List.of("/api/v1/campaigns/99999999999999999999999", "/api/v1/campaigns/-1",
        "/api/v1/campaigns/abc", "/api/v1/campaigns/%00", "/api/v1/campaigns/%zz", "/api/v1/commissions?created_after=%00",
        "/api/v1/referrals?email=%00", "/api/v1/commissions?created_after=2026-13-45T99:99:99Z",
        "/api/v1/postbacks/pb_%27%20OR%201=1--", "/api/v1/campaigns?state=active%27;DROP%20TABLE%20campaigns;--",
        "/api/v1/nope", "/api/v2/campaigns", "/", "/.env", "/actuator/env", "/api/v1/campaigns/1/2/3",
        "/api/v1/../../etc/passwd")) {
      out.add(new Probe("GET " + abbreviate(target), api, "GET", target, null, new byte[0], true));
      out.add(new Probe("GET " + abbreviate(target) + " without a key", api, "GET", target, null, new byte[0], false));
    }
    for (String method : List.of("PATCH", "DELETE", "PUT", "TRACE", "OPTIONS", "FOO", "PROPFIND", "CONNECT")) {
      out.add(new Probe(method + " on a collection", api, method, campaigns, null, new byte[0], true));
      out.add(new Probe(method + " on the edge", edge, method, "/r/abc", null, new byte[0], false));
    }
    for (String target : List.of("/r/%00", "/i/%00", "/r/" + "a".repeat(5000), "/postback?%", "/postback?a=%zz",
        "/nope", "/r/..%2f..%2fetc%2fpasswd", "/i/abc?x=%00")) {
      out.add(new Probe("edge GET " + abbreviate(target), edge, "GET", target, null, new byte[0], false));
    }
    out.add(new Probe("edge postback with bad JSON", edge, "POST", "/postback", json, bytes("{"), false));
    out.add(new Probe("edge postback with a bad form", edge, "POST", "/postback", "application/x-www-form-urlencoded",
        bytes("a=%zz&transaction_id=\u0000"), false));
    out.add(new Probe("ops unknown route", ops, "GET", "/nope", null, new byte[0], false));
    out.add(new Probe("ops wrong method", ops, "DELETE", "/metrics", null, new byte[0], false));
    return out;
  }

  @TestFactory
  Stream<DynamicTest> malformedRequestsGetAClean4xx() {
    return probes().stream().map(p -> DynamicTest.dynamicTest(p.name(), () -> {
      String before = world.snapshot();
      String answer = send(p);
      int status = Integer.parseInt(answer.substring(9, 12));
      // The impression pixel answers its image whatever the query, so a page never shows a broken one.
      int lowest = p.target().startsWith("/i/") ? 200 : 300;
      assertTrue(status >= lowest && status < 500, p.name() + " answered " + answer);
      if (List.of("PATCH", "DELETE", "PUT", "TRACE", "OPTIONS", "FOO", "PROPFIND", "CONNECT").contains(p.method())) {
        assertTrue(List.of(400, 404, 405).contains(status), p.name() + " answered " + status);
      }
      assertFalse(LEAK.matcher(answer).find(), p.name() + " leaks: " + answer);
      int split = answer.indexOf("\r\n\r\n");
      String body = split < 0 ? "" : answer.substring(split + 4);
      if (p.port() == world.engine.config().http().apiPort() && answer.toLowerCase(Locale.ROOT)
          .contains("content-type: application/json")) {
        assertEquals(List.of("error"), List.copyOf(new JsonObject(body).fieldNames()), p.name() + ": " + body);
      }
      assertEquals(before, world.snapshot(), p.name() + " changed something");
    }));
  }

  @Test
  void theEnginesOpsPortIsOnLoopbackOnly() {
    int port = world.engine.config().http().opsPort();
    assertEquals("127.0.0.1", world.engine.config().http().opsHost(), "the default");
    assertTrue(send(new Probe("ops", port, "GET", "/health/live", null, new byte[0], false)).startsWith("HTTP/1.1 200"));
    // 127.0.0.2 is loopback too on Linux, but a server bound to 127.0.0.1 is not there (ops/OpsBindTest).
    assertThrows(ConnectException.class, () -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.2", port), 2000);
      }
    });
  }

  private static String send(Probe p) {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    String lines = p.method() + " " + p.target() + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        + (p.authenticated() ? auth + "\r\n" : "")
        + (p.contentType() == null ? "" : "Content-Type: " + p.contentType() + "\r\n")
        + (p.body().length > 0 ? "Content-Length: " + p.body().length + "\r\n" : "") + "\r\n";
    head.writeBytes(lines.getBytes(StandardCharsets.ISO_8859_1));
    head.writeBytes(p.body());
    try (Socket socket = new Socket("127.0.0.1", p.port())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(head.toByteArray());
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(p.name(), e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
