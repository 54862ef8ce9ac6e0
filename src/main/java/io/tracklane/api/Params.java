package io.tracklane.api;

import io.tracklane.http.HttpError;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Query and path parameters, parsed with a clear 400 naming the parameter. */
public final class Params {
  private static final Pattern DATE_TIME = Pattern.compile(
      "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

  private Params() {
  }

  public static long pathId(RoutingContext ctx, String name) {
    String raw = ctx.pathParam(name);
    try {
      long id = Long.parseLong(raw);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // fall through to the 404: an id that cannot exist names nothing
    }
    throw HttpError.notFound("no such " + name.replace("_id", "").replace('_', ' ') + ": " + raw);
  }

  public static Long optionalId(RoutingContext ctx, String name) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw HttpError.badRequest(name + " must be an id");
    }
  }

  /**
   * A free-text filter: at most {@code maxLength} characters and no control characters (PostgreSQL
   * refuses a NUL in text, and no stored value holds one), else a 400 naming the parameter.
   */
  public static String optionalText(RoutingContext ctx, String name, int maxLength) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    if (raw.length() > maxLength) {
      throw HttpError.badRequest(name + " must be at most " + maxLength + " characters");
    }
    if (raw.chars().anyMatch(Character::isISOControl)) {
      throw HttpError.badRequest(name + " must not contain control characters");
    }
    return raw;
  }

  /**
   * An RFC 3339 date-time (what OpenAPI's {@code format: date-time} means), e.g. 2026-01-01T00:00:00Z
   * or with an offset (sent as %2B02:00 in a URL). A bare date is refused: it names no instant.
   */
  public static OffsetDateTime optionalInstant(RoutingContext ctx, String name) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    if (DATE_TIME.matcher(raw).matches()) {
      try {
        return OffsetDateTime.parse(raw.toUpperCase(Locale.ROOT)).withOffsetSameInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        // a well-formed but impossible date such as February 30th: answered below
      }
    }
    throw HttpError.badRequest(name + " must be an ISO 8601 date-time like 2026-01-01T00:00:00Z");
  }

  public static String optionalOneOf(RoutingContext ctx, String name, String... allowed) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    for (String a : allowed) {
      if (a.equals(raw)) {
        return raw;
      }
    }
    throw HttpError.badRequest(name + " must be one of " + String.join(", ", allowed));
  }
}
