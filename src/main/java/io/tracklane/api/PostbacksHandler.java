package io.tracklane.api;

import io.tracklane.http.HttpError;
import io.tracklane.store.PostbackStatusRepository;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * GET /api/v1/postbacks/{event_id}: the status of a postback the edge accepted: "accepted" until
 * the ledger has processed it, then "credited", "rejected" (with the reason) or "duplicate".
 */
public final class PostbacksHandler {
  private final PostbackStatusRepository statuses;

  public PostbacksHandler(PostbackStatusRepository statuses) {
    this.statuses = statuses;
  }

  public void register(Operations ops) {
    ops.on("getPostbackStatus", this::get);
  }

  private void get(RoutingContext ctx) {
    String eventId = ctx.pathParam("event_id");
    if (!eventId.matches("pb_[0-9a-f]{32}")) {
      throw HttpError.badRequest("event_id must be a postback event id as answered by /postback (pb_...)");
    }
    statuses.find(AuthHandler.principal(ctx).programId(), eventId)
        .onSuccess(found -> Responses.json(ctx, 200, found != null ? found
            : new JsonObject().put("event_id", eventId).put("status", "accepted").putNull("reason")))
        .onFailure(ctx::fail);
  }
}
