package io.tracklane.api;

import io.tracklane.http.HttpError;
import io.tracklane.store.AuditLog;
import io.tracklane.store.Filter;
import io.tracklane.store.Paged;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writing successful answers, and the small bits every resource handler shares. */
public final class Responses {
  private Responses() {
  }

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    json(ctx, status, body.toBuffer());
  }

  /** Answers with JSON already encoded (a cached answer, sent as it was stored). */
  public static void json(RoutingContext ctx, int status, Buffer body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }

  /** Answers 200 with the object, 404 when the future yields null. */
  public static void found(RoutingContext ctx, Future<JsonObject> lookup, String what) {
    lookup.onSuccess(obj -> {
      if (obj == null) {
        ctx.fail(HttpError.notFound(what + " not found."));
      } else {
        json(ctx, 200, obj);
      }
    }).onFailure(ctx::fail);
  }

  /** A repository's list: one page of the rows a filter selects. */
  public interface Lister {
    Future<Paged> list(Filter filter, long offset, int limit);
  }

  /** Answers 200 with one page of a collection in the seed envelope. */
  public static void page(RoutingContext ctx, PageRequest page, Future<Paged> lookup) {
    lookup.onSuccess(p -> json(ctx, 200, page.envelope(p.data(), p.totalCount()))).onFailure(ctx::fail);
  }

  public static AuditLog.Actor actor(RoutingContext ctx) {
    Principal p = AuthHandler.principal(ctx);
    return AuditLog.Actor.apiKey(p.programId(), p.keyId(), AuthHandler.clientAddress(ctx));
  }
}
