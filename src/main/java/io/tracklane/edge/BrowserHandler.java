package io.tracklane.edge;

import io.tracklane.domain.ClickId;
import io.tracklane.http.HttpError;
import io.tracklane.store.LinkRepository.LinkTarget;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * What tracklane.js talks to: GET /t.js (the script itself, classic or, with {@code ?module}, an ES
 * module), GET /t/click (is a click id genuine, and how long to keep it) and POST /c.json (a
 * conversion, the JSON sibling of /c.gif). CORS answers only the origins of the click's campaign.
 */
final class BrowserHandler {
  /** The script's last line, which the module variant replaces. */
  private static final String CLASSIC_TAIL = "})(window, document.currentScript && document.currentScript.src);";
  private static final String MODULE_TAIL = "})(window, import.meta.url);\nexport default window.tracklane;";
  private static final int MAX_BODY = 4096;

  /** One variant of the script: its bytes, gzipped bytes and entity tag. */
  record Script(Buffer plain, Buffer gzipped, String etag) {
    static Script of(String source) {
      byte[] bytes = source.getBytes(StandardCharsets.UTF_8);
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
          gz.write(bytes);
        }
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
        return new Script(Buffer.buffer(bytes), Buffer.buffer(out.toByteArray()),
            "\"" + HexFormat.of().formatHex(hash, 0, 12) + "\"");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static final Script CLASSIC;
  static final Script MODULE;

  static {
    String source = source();
    if (!source.stripTrailing().endsWith(CLASSIC_TAIL)) {
      throw new IllegalStateException("tracklane.js must end with " + CLASSIC_TAIL);
    }
    CLASSIC = Script.of(source);
    MODULE = Script.of(source.stripTrailing().substring(0, source.stripTrailing().length() - CLASSIC_TAIL.length())
        + MODULE_TAIL + "\n");
  }

  private final EdgeContext edge;
  private final ClientConversions conversions;

  BrowserHandler(EdgeContext edge, ClientConversions conversions) {
    this.edge = edge;
    this.conversions = conversions;
  }

  static String source() {
    try (InputStream in = BrowserHandler.class.getResourceAsStream("/edge/tracklane.js")) {
      if (in == null) {
        throw new IllegalStateException("edge/tracklane.js is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** GET /t.js: cacheable for an hour, revalidated by ETag; gzipped when the client takes it. */
  void script(RoutingContext ctx) {
    Script script = ctx.request().params().contains("module") ? MODULE : CLASSIC;
    HttpServerResponse res = ctx.response()
        .putHeader("Content-Type", "text/javascript; charset=utf-8")
        .putHeader("Cache-Control", "public, max-age=3600")
        .putHeader("ETag", script.etag())
        .putHeader("Vary", "Accept-Encoding")
        // Any site may load the script (and import it as a module, which is a CORS request).
        .putHeader("Access-Control-Allow-Origin", "*");
    String match = ctx.request().getHeader("If-None-Match");
    if (match != null && (match.contains(script.etag()) || "*".equals(match.trim()))) {
      res.setStatusCode(304).end();
      return;
    }
    String accept = ctx.request().getHeader("Accept-Encoding");
    if (accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("gzip")) {
      res.putHeader("Content-Encoding", "gzip").end(script.gzipped());
    } else {
      res.end(script.plain());
    }
  }

  /**
   * GET /t/click?click_id=...: {"max_age": seconds} the landing page may keep the click id, 0 when it
   * is forged, unknown or past its campaign's cookie window. Only the campaign's origins may read it.
   */
  void click(RoutingContext ctx) {
    Map<String, String> query = QueryStrings.decode(ctx.request().query(), "query string");
    Optional<ClickId> click = edge.clickIds().verify(RedirectHandler.clip(query.get("click_id"), 64));
    String origin = ctx.request().getHeader("Origin");
    if (click.isEmpty()) {
      ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store");
      allowAny(ctx, origin);
      ctx.response().end(new JsonObject().put("max_age", 0).encode());
      return;
    }
    edge.lookups().linksById().get(click.get().linkId()).onSuccess(link -> {
      if (link != null && origin != null && !cors(ctx, link, origin)) {
        ctx.fail(HttpError.forbidden("the origin is not one of the campaign's client_origins"));
        return;
      }
      long maxAge = 0;
      if (link != null && link.creditable()) {
        long end = click.get().issuedAt().plus(Duration.ofDays(link.cookieWindowDays())).getEpochSecond();
        maxAge = Math.max(0, end - edge.clock().instant().getEpochSecond());
      }
      ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
          .end(new JsonObject().put("max_age", maxAge).encode());
    }).onFailure(ctx::fail);
  }

  /**
   * POST /c.json: the conversion as a JSON object (sent as text/plain by sendBeacon, so no preflight
   * is needed). Fields as /c.gif's; amounts are strings.
   */
  void conversion(RoutingContext ctx) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    Map<String, String> fields = fields(body);
    Cookie cookie = ctx.request().getCookie(EdgeVerticle.CLICK_COOKIE);
    String origin = ctx.request().getHeader("Origin");
    Future<ClientConversions.Result> result = conversions.report(fields, cookie == null ? null : cookie.getValue(),
        origin);
    result.onSuccess(r -> {
      ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store");
      if (origin != null && !ClientConversions.ORIGIN_NOT_ALLOWED.equals(r.reason())) {
        // Only an origin the report was accepted from (or that had no click to judge it by) may read the answer.
        ctx.response().putHeader("Access-Control-Allow-Origin", origin)
            .putHeader("Access-Control-Allow-Credentials", "true").putHeader("Vary", "Origin");
      }
      ctx.response().end(r.toJson().encode());
    }).onFailure(ctx::fail);
  }

  /** OPTIONS /c.json and /t/click: the script never needs a preflight; a page that does gets none. */
  void preflight(RoutingContext ctx) {
    ctx.response().setStatusCode(204).putHeader("Cache-Control", "no-store").end();
  }

  static Map<String, String> fields(Buffer body) {
    if (body == null || body.length() == 0) {
      throw HttpError.badRequest("the body must be a JSON object");
    }
    if (body.length() > MAX_BODY) {
      throw HttpError.badRequest("the body is larger than " + MAX_BODY + " bytes");
    }
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw HttpError.badRequest("the body must be a JSON object");
    }
    Map<String, String> fields = new HashMap<>();
    for (String name : json.fieldNames()) {
      if (!ClientFields.ALLOWED.contains(name)) {
        throw HttpError.badRequest(name + " is not a field of a client conversion");
      }
      Object value = json.getValue(name);
      if (value == null) {
        continue;
      }
      if (!(value instanceof String text)) {
        throw HttpError.badRequest(name + " must be a string");
      }
      if (text.indexOf('\0') >= 0) {
        throw HttpError.badRequest(name + " must not contain a NUL character");
      }
      fields.put(name, text);
    }
    return fields;
  }

  /** The fields a client conversion may carry. */
  static final class ClientFields {
    static final java.util.Set<String> ALLOWED = java.util.Set.of("click_id", "program_id", "transaction_id",
        "amount", "currency", "customer_id");

    private ClientFields() {
    }
  }

  private static boolean cors(RoutingContext ctx, LinkTarget link, String origin) {
    if (!ClientConversions.allowedOrigin(link, origin)) {
      return false;
    }
    ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Access-Control-Allow-Credentials",
        "true").putHeader("Vary", "Origin");
    return true;
  }

  /** A forged id reveals nothing about any campaign; any page may learn it is worth nothing. */
  private static void allowAny(RoutingContext ctx, String origin) {
    if (origin != null) {
      ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
    }
  }
}
