package io.tracklane.api;

import io.tracklane.http.HttpError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The seed API's pagination: page (from 1), limit (default 25, at most 100). */
public record PageRequest(int page, int limit) {
  public static final int DEFAULT_LIMIT = 25;
  public static final int MAX_LIMIT = 100;

  public static PageRequest from(RoutingContext ctx) {
    int page = number(ctx, "page", 1);
    int limit = number(ctx, "limit", DEFAULT_LIMIT);
    if (page < 1) {
      throw HttpError.badRequest("page must be 1 or more");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw HttpError.badRequest("limit must be between 1 and " + MAX_LIMIT);
    }
    return new PageRequest(page, limit);
  }

  public long offset() {
    return (long) (page - 1) * limit;
  }

  /** The envelope every collection answers: {"data": [...], "pagination": {...}}. */
  public JsonObject envelope(JsonArray data, long totalCount) {
    long totalPages = totalCount == 0 ? 0 : (totalCount + limit - 1) / limit;
    return new JsonObject()
        .put("data", data)
        .put("pagination", new JsonObject()
            .put("page", page)
            .put("limit", limit)
            .put("total_count", totalCount)
            .put("total_pages", totalPages));
  }

  private static int number(RoutingContext ctx, String name, int fallback) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isEmpty()) {
      return fallback;
    }
    try {
      return Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw HttpError.badRequest(name + " must be a whole number");
    }
  }
}
