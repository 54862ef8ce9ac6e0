package io.tracklane.api;

import io.tracklane.domain.Destinations;
import io.tracklane.http.HttpError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.util.Set;

/** Reading request bodies: known fields only, typed values, a 400 naming the field otherwise. */
public final class Json {
  private Json() {
  }

  /** The JSON object body; rejects non-JSON bodies and fields outside {@code allowed}. */
  public static JsonObject body(RoutingContext ctx, Set<String> allowed) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new HttpError(415, "Content-Type must be application/json");
    }
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      throw HttpError.badRequest("body must be a JSON object");
    }
    if (body == null) {
      throw HttpError.badRequest("body must be a JSON object");
    }
    for (String field : body.fieldNames()) {
      if (!allowed.contains(field)) {
        throw HttpError.badRequest("unknown field: " + field);
      }
    }
    rejectNul(body, "");
    return body;
  }

  /**
   * PostgreSQL refuses the NUL character in text, so a NUL anywhere in a body (names included,
   * arrays and nested objects too) is a 400 naming where it is, before any handler reads it.
   */
  private static void rejectNul(Object value, String path) {
    if (value instanceof String s && s.indexOf('\0') >= 0) {
      throw HttpError.badRequest((path.isEmpty() ? "the body" : path) + " must not contain the NUL character");
    }
    if (value instanceof JsonObject object) {
      for (String field : object.fieldNames()) {
        String name = path.isEmpty() ? field : path + "." + field;
        rejectNul(field, name);
        rejectNul(object.getValue(field), name);
      }
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        rejectNul(array.getValue(i), path + "[" + i + "]");
      }
    }
  }

  /** Rejects an explicit null for fields that cannot be emptied, e.g. {"state": null}. */
  public static void notNull(JsonObject body, String... fields) {
    for (String field : fields) {
      if (body.containsKey(field) && body.getValue(field) == null) {
        throw HttpError.badRequest(field + " must not be null");
      }
    }
  }

  public static String string(JsonObject body, String field, int maxLength) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw HttpError.badRequest(field + " must be a string");
    }
    if (s.length() > maxLength) {
      throw HttpError.badRequest(field + " must be at most " + maxLength + " characters");
    }
    return s;
  }

  public static String required(JsonObject body, String field, int maxLength) {
    String value = string(body, field, maxLength);
    if (value == null || value.isBlank()) {
      throw HttpError.badRequest(field + " is required");
    }
    return value.trim();
  }

  public static Long wholeNumber(JsonObject body, String field, long min, long max) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || !isWhole(n)) {
      throw HttpError.badRequest(field + " must be a whole number");
    }
    long v = n.longValue();
    if (v < min || v > max) {
      throw HttpError.badRequest(field + " must be between " + min + " and " + max);
    }
    return v;
  }

  public static BigDecimal decimal(JsonObject body, String field, BigDecimal min, BigDecimal max) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    BigDecimal d;
    try {
      d = value instanceof String s ? new BigDecimal(s) : new BigDecimal(value.toString());
    } catch (NumberFormatException e) {
      throw HttpError.badRequest(field + " must be a number");
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0 || d.scale() > 4) {
      throw HttpError.badRequest(field + " must be between " + min + " and " + max + " with at most 4 decimals");
    }
    return d.stripTrailingZeros();
  }

  public static Boolean bool(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Boolean b)) {
      throw HttpError.badRequest(field + " must be true or false");
    }
    return b;
  }

  public static String oneOf(JsonObject body, String field, String... allowed) {
    String value = string(body, field, 64);
    if (value == null) {
      return null;
    }
    for (String a : allowed) {
      if (a.equals(value)) {
        return value;
      }
    }
    throw HttpError.badRequest(field + " must be one of " + String.join(", ", allowed));
  }

  /** An id given as a JSON string or number. */
  public static Long id(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    try {
      long id = value instanceof Number n && isWhole(n) ? n.longValue() : Long.parseLong(value.toString());
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw HttpError.badRequest(field + " must be an id");
  }

  /** An absolute http(s) URL with a host, no user info: safe to send a browser to. */
  public static String url(JsonObject body, String field) {
    String value = string(body, field, 2048);
    if (value == null) {
      return null;
    }
    if (!isSafeUrl(value)) {
      throw HttpError.badRequest(field + " must be an absolute http or https URL");
    }
    return value;
  }

  /** Stored URLs may carry macros such as {click_id} after the host; see Destinations. */
  public static boolean isSafeUrl(String value) {
    return Destinations.isSafeTemplate(value);
  }

  public static JsonArray strings(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array) || array.stream().anyMatch(v -> !(v instanceof String))) {
      throw HttpError.badRequest(field + " must be an array of strings");
    }
    return array;
  }

  private static boolean isWhole(Number n) {
    return n instanceof Integer || n instanceof Long || n instanceof Short
        || (n.doubleValue() == Math.rint(n.doubleValue()) && !Double.isInfinite(n.doubleValue()));
  }
}
