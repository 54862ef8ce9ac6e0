package io.tracklane.edge;

import io.tracklane.http.HttpError;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;

/** The fields of an advertiser's postback, from the query string, a form body or a JSON body. */
public record PostbackRequest(String token, String transactionId, String event, String clickId, String coupon,
    String customerId, String customerEmail, String amount, String currency) {

  static final Set<String> FIELDS = Set.of("token", "transaction_id", "event", "click_id", "coupon", "customer_id",
      "customer_email", "amount", "currency");
  private static final Set<String> EVENTS = Set.of("sale", "lead", "refund");

  /** Reads and checks the shape of a postback; amounts and currencies are checked by the domain. */
  public static PostbackRequest from(RoutingContext ctx) {
    MultiMap query = ctx.queryParams();
    JsonObject json = new JsonObject();
    if (ctx.request().method().name().equals("POST")) {
      json = body(ctx);
    }
    String token = ctx.request().getHeader("X-Postback-Token");
    if (token == null) {
      token = field(json, query, "token", 200);
    }
    String transactionId = field(json, query, "transaction_id", 255);
    if (transactionId == null || transactionId.isBlank()) {
      throw HttpError.badRequest("transaction_id is required");
    }
    String event = field(json, query, "event", 16);
    event = event == null ? "sale" : event.toLowerCase(Locale.ROOT);
    if (!EVENTS.contains(event)) {
      throw HttpError.badRequest("event must be sale, lead or refund");
    }
    String clickId = field(json, query, "click_id", 64);
    String coupon = field(json, query, "coupon", 64);
    String customerId = field(json, query, "customer_id", 255);
    String email = field(json, query, "customer_email", 320);
    if (clickId == null && coupon == null && customerId == null) {
      throw HttpError.badRequest("one of click_id, coupon or customer_id is required to attribute");
    }
    String amount = field(json, query, "amount", 32);
    if (amount == null && !"lead".equals(event)) {
      throw HttpError.badRequest("amount is required for a " + event);
    }
    String currency = field(json, query, "currency", 3);
    return new PostbackRequest(token, transactionId, event, clickId, coupon, customerId,
        email == null ? null : email.toLowerCase(Locale.ROOT), amount,
        currency == null ? null : currency.toUpperCase(Locale.ROOT));
  }

  private static JsonObject body(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String mime = type == null ? "" : type.toLowerCase(Locale.ROOT);
    if (ctx.body() == null || ctx.body().length() == 0) {
      return new JsonObject();
    }
    if (mime.startsWith("application/json")) {
      JsonObject json;
      try {
        json = ctx.body().asJsonObject();
      } catch (RuntimeException e) {
        throw HttpError.badRequest("body is not a JSON object");
      }
      for (String name : json.fieldNames()) {
        if (!FIELDS.contains(name)) {
          throw HttpError.badRequest("unknown field: " + name);
        }
        Object value = json.getValue(name);
        if (value != null && !(value instanceof String) && !(value instanceof Number)) {
          throw HttpError.badRequest(name + " must be a string");
        }
      }
      return json;
    }
    if (mime.startsWith("application/x-www-form-urlencoded")) {
      JsonObject form = new JsonObject();
      ctx.request().formAttributes().forEach(e -> form.put(e.getKey(), e.getValue()));
      return form;
    }
    throw new HttpError(415, "Content-Type must be application/json or application/x-www-form-urlencoded");
  }

  private static String field(JsonObject json, MultiMap query, String name, int maxLength) {
    Object fromBody = json.getValue(name);
    String value = fromBody != null ? fromBody.toString() : query.get(name);
    if (value == null) {
      return null;
    }
    value = value.trim();
    if (value.isEmpty()) {
      return null;
    }
    if (value.length() > maxLength) {
      throw HttpError.badRequest(name + " must be at most " + maxLength + " characters");
    }
    if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw HttpError.badRequest(name + " must not contain control characters");
    }
    return value;
  }
}
