package io.tracklane.api;

import io.tracklane.http.HttpError;
import io.tracklane.ledger.RejectedFactRetries;
import io.tracklane.store.AuditLog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** POST /api/v1/rejected_events/{id}/retry and POST /api/v1/rejected_events/retry (by ids or filter). */
public final class RejectedEventsHandler {
  private final Pool pool;
  private final RejectedFactRetries retries;
  private final AuditLog audit;

  public RejectedEventsHandler(Pool pool, RejectedFactRetries retries, AuditLog audit) {
    this.pool = pool;
    this.retries = retries;
    this.audit = audit;
  }

  public void register(Operations ops) {
    ops.on("retryRejectedEvents", this::retryMany);
    ops.on("retryRejectedEvent", this::retryOne);
  }

  private void retryOne(RoutingContext ctx) {
    AuditLog.Actor actor = Responses.actor(ctx);
    long id = Params.pathId(ctx, "rejected_event_id");
    retries.retry(actor.programId(), id)
        .compose(queued -> audit.record(pool, actor, "rejected_event.retried", "rejected_event", id, null, queued)
            .map(queued))
        .onSuccess(queued -> Responses.json(ctx, 202, queued))
        .onFailure(ctx::fail);
  }

  private void retryMany(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, Set.of("ids", "reason", "transaction_id"));
    AuditLog.Actor actor = Responses.actor(ctx);
    retries.retryAll(actor.programId(), ids(body), Json.string(body, "reason", 200),
            Json.string(body, "transaction_id", 255))
        .compose(queued -> audit.record(pool, actor, "rejected_events.retried", "rejected_event",
            queued.getInteger("queued"), null, body.copy().put("event_ids", queued.getJsonArray("event_ids")))
            .map(queued))
        .onSuccess(queued -> Responses.json(ctx, 202, queued))
        .onFailure(ctx::fail);
  }

  private static List<Long> ids(JsonObject body) {
    Object value = body.getValue("ids");
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array) || array.size() > RejectedFactRetries.MAX_BULK) {
      throw HttpError.badRequest("ids must be an array of at most " + RejectedFactRetries.MAX_BULK + " ids");
    }
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      ids.add(Json.id(new JsonObject().put("ids", array.getValue(i)), "ids"));
    }
    return ids;
  }
}
