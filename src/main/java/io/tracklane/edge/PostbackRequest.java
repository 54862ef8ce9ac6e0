package io.tracklane.edge;

import io.tracklane.domain.Currencies;
import io.tracklane.http.HttpError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fields of an advertiser's postback, from the query string, a form body or a JSON body. Pure:
 * it sees only the raw request parts, so the fuzz test drives it without a server.
 */
public record PostbackRequest(String token, String transactionId, String event, String clickId, String coupon,
    String customerId, String customerEmail, String amount, String currency, String refundId) {

  static final Set<String> FIELDS = Set.of("token", "transaction_id", "event", "click_id", "coupon", "customer_id",
      "customer_email", "amount", "currency", "refund_id");
  private static final Set<String> EVENTS = Set.of("sale", "lead", "refund");
  private static final Set<String> WHOLE_NUMBER_FIELDS = Set.of("transaction_id", "customer_id");
  private static final Pattern DECIMAL = Pattern.compile("\\d{1,19}(\\.\\d{1,6})?");

  /**
   * Reads and checks the shape of a postback. Amounts are checked here for syntax and by
   * {@code Money.parse} for the currency's decimals once the currency is known.
   *
   * @param method GET or POST
   * @param contentType the Content-Type header, null if none
   * @param headerToken the X-Postback-Token header, null if none
   * @param rawQuery the query string as sent, null if none
   * @param body the body as sent, null or empty if none
   */
  public static PostbackRequest parse(String method, String contentType, String headerToken, String rawQuery,
      Buffer body) {
    Map<String, String> fields = QueryStrings.decode(rawQuery, "query string");
    if ("POST".equals(method) && body != null && body.length() > 0) {
      Map<String, String> fromBody = body(contentType, body);
      for (String name : fromBody.keySet()) {
        if (fields.containsKey(name)) {
          throw HttpError.badRequest(name + " is given both in the query string and in the body");
        }
      }
      fields.putAll(fromBody);
    }
    if (headerToken != null) {
      fields.put("token", headerToken);
    }
    return fromFields(fields);
  }

  /** Checks decoded fields by name; unknown names are ignored here (query strings carry cache-busters). */
  public static PostbackRequest fromFields(Map<String, String> fields) {
    String token = field(fields, "token", 200);
    String transactionId = field(fields, "transaction_id", 255);
    if (transactionId == null) {
      throw HttpError.badRequest("transaction_id is required");
    }
    String event = field(fields, "event", 16);
    event = event == null ? "sale" : event.toLowerCase(Locale.ROOT);
    if (!EVENTS.contains(event)) {
      throw HttpError.badRequest("event must be sale, lead or refund");
    }
    String clickId = field(fields, "click_id", 64);
    String coupon = field(fields, "coupon", 64);
    String customerId = field(fields, "customer_id", 255);
    String email = field(fields, "customer_email", 320);
    if (clickId == null && coupon == null && customerId == null) {
      throw HttpError.badRequest("one of click_id, coupon or customer_id is required to attribute");
    }
    String amount = field(fields, "amount", 32);
    // A lead needs none; a refund without one refunds what remains of its sale.
    if (amount == null && "sale".equals(event)) {
      throw HttpError.badRequest("amount is required for a sale");
    }
    if (amount != null && !DECIMAL.matcher(amount).matches()) {
      throw HttpError.badRequest("amount must be a plain non-negative decimal in major units, like 49.90");
    }
    String currency = field(fields, "currency", 3);
    if (currency != null) {
      currency = currency.toUpperCase(Locale.ROOT);
      Currencies.minorDigits(currency);
    }
    String refundId = field(fields, "refund_id", 255);
    if (refundId != null && !"refund".equals(event)) {
      throw HttpError.badRequest("refund_id is only for a refund");
    }
    return new PostbackRequest(token, transactionId, event, clickId, coupon, customerId,
        email == null ? null : email.toLowerCase(Locale.ROOT), amount, currency, refundId);
  }

  /** A route handler: POST bodies are JSON or a form, or absent (fields in the query string). */
  static void requireBodyType(RoutingContext ctx) {
    String length = ctx.request().getHeader("Content-Length");
    boolean empty = "0".equals(length) || length == null && ctx.request().getHeader("Transfer-Encoding") == null;
    if (!empty && !isJson(ctx.request().getHeader("Content-Type")) && !isForm(ctx.request().getHeader("Content-Type"))) {
      throw unsupportedType();
    }
    ctx.next();
  }

  private static Map<String, String> body(String contentType, Buffer body) {
    if (isJson(contentType)) {
      return json(body);
    }
    if (isForm(contentType)) {
      return QueryStrings.decode(body.toString(StandardCharsets.UTF_8), "form body");
    }
    throw unsupportedType();
  }

  private static boolean isJson(String contentType) {
    return contentType != null && contentType.trim().toLowerCase(Locale.ROOT).startsWith("application/json");
  }

  private static boolean isForm(String contentType) {
    return contentType != null
        && contentType.trim().toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }

  private static HttpError unsupportedType() {
    return HttpError.badRequest("Content-Type must be application/json or application/x-www-form-urlencoded");
  }

  private static Map<String, String> json(Buffer body) {
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (RuntimeException e) {
      throw HttpError.badRequest("body is not a JSON object");
    }
    Map<String, String> out = new HashMap<>();
    for (String name : json.fieldNames()) {
      if (!FIELDS.contains(name)) {
        throw HttpError.badRequest("unknown field: " + name);
      }
      Object value = json.getValue(name);
      if (value == null || value instanceof String) {
        out.put(name, (String) value);
      } else if ((value instanceof Integer || value instanceof Long) && WHOLE_NUMBER_FIELDS.contains(name)) {
        out.put(name, value.toString());
      } else {
        // A JSON number has already lost its exact text (49.90 became a double): amounts are strings.
        throw HttpError.badRequest(name + " must be a JSON string" + ("amount".equals(name) ? " like \"49.90\"" : ""));
      }
    }
    return out;
  }

  private static String field(Map<String, String> fields, String name, int maxLength) {
    String value = fields.get(name);
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
