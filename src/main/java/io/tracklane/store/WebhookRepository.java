package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Partner postback endpoints and their deliveries, as the API shows them. An endpoint belongs to
 * the program (affiliate_id NULL: an owner's webhook) or to one affiliate (its postbacks); every
 * query names which, so one kind's ids are not found through the other's paths.
 */
public final class WebhookRepository {
  private static final String SELECT = """
      SELECT w.id, w.affiliate_id, w.url, w.method, w.events, w.state, w.consecutive_failures,
             w.breaker_open_until, w.created_at, w.updated_at""";
  private static final String INSERT = """
      INSERT INTO webhook_endpoints (program_id, affiliate_id, url, method, events, secret_encrypted, state)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""";
  private static final String UPDATE = """
      UPDATE webhook_endpoints SET url = $3, events = $4, state = $5, updated_at = now()
       WHERE program_id = $1 AND id = $2""";
  private static final String DELIVERIES = """
      SELECT d.id, d.event_id, d.event, d.status, d.attempt_count, d.next_attempt_at, d.give_up_at, d.last_error,
             d.delivered_at, d.created_at""";
  private static final String ATTEMPTS = """
      SELECT delivery_id, attempted_at, status_code, latency_ms, error FROM webhook_attempts
       WHERE program_id = $1 AND delivery_id = ANY($2) ORDER BY id""";
  private static final String REDELIVER = """
      UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = now(),
             give_up_at = now() + make_interval(secs => $4), updated_at = now()
        FROM webhook_endpoints w
       WHERE d.program_id = $1 AND d.endpoint_id = $2 AND d.id = $3 AND w.id = d.endpoint_id
       RETURNING d.id""";

  private final Pool pool;

  public WebhookRepository(Pool pool) {
    this.pool = pool;
  }

  /** The scope of a query: the owner's webhooks (affiliateId null) or one affiliate's postbacks. */
  public static Filter scope(long programId, Long affiliateId) {
    return Filter.program("w.program_id", programId)
        .add(affiliateId == null ? "w.affiliate_id IS NULL" : "w.affiliate_id = ?",
            affiliateId == null ? new Object[0] : new Object[] {affiliateId});
  }

  public Future<Paged> list(Filter scope, long offset, int limit) {
    return Paged.query(pool, SELECT, "FROM webhook_endpoints w", scope, "ORDER BY w.id DESC", offset, limit,
        WebhookRepository::toJson);
  }

  public Future<JsonObject> get(SqlClient client, long programId, Long affiliateId, long id, boolean lock) {
    Filter f = scope(programId, affiliateId).add("w.id = ?", id);
    return client.preparedQuery(SELECT + " FROM webhook_endpoints w" + f.where() + (lock ? " FOR UPDATE" : ""))
        .execute(Tuple.from(f.args())).map(rows -> Rows.first(rows, WebhookRepository::toJson));
  }

  public Future<Long> create(SqlClient tx, long programId, Long affiliateId, String url, String method,
      List<String> events, String secretEncrypted, String state) {
    return tx.preparedQuery(INSERT).execute(Tuple.of(programId, affiliateId, url, method,
            events.toArray(new String[0]), secretEncrypted, state))
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  public Future<Void> update(SqlClient tx, long programId, long id, String url, List<String> events, String state) {
    return tx.preparedQuery(UPDATE).execute(Tuple.of(programId, id, url, events.toArray(new String[0]), state))
        .mapEmpty();
  }

  public Future<Void> delete(SqlClient tx, long programId, long id) {
    return tx.preparedQuery("DELETE FROM webhook_endpoints WHERE program_id = $1 AND id = $2")
        .execute(Tuple.of(programId, id)).mapEmpty();
  }

  /** One page of an endpoint's deliveries, newest first, each with all its attempts. */
  public Future<Paged> deliveries(long programId, long endpointId, String status, long offset, int limit) {
    Filter f = Filter.program("d.program_id", programId).add("d.endpoint_id = ?", endpointId)
        .add("d.status = ?", status);
    return Paged.query(pool, DELIVERIES, "FROM webhook_deliveries d", f, "ORDER BY d.id DESC", offset, limit,
        WebhookRepository::deliveryJson).compose(page -> withAttempts(programId, page));
  }

  public Future<JsonObject> delivery(long programId, long endpointId, long deliveryId) {
    Filter f = Filter.program("d.program_id", programId).add("d.endpoint_id = ?", endpointId)
        .add("d.id = ?", deliveryId);
    return pool.preparedQuery(DELIVERIES + " FROM webhook_deliveries d" + f.where()).execute(Tuple.from(f.args()))
        .map(rows -> Rows.first(rows, WebhookRepository::deliveryJson))
        .compose(d -> d == null ? Future.succeededFuture() : withAttempts(programId,
            new Paged(new JsonArray().add(d), 1)).map(p -> p.data().getJsonObject(0)));
  }

  /** Schedules a delivery again now, with a fresh retry window; false when there is no such delivery. */
  public Future<Boolean> redeliver(long programId, long endpointId, long deliveryId, int retryWindowSeconds) {
    return pool.preparedQuery(REDELIVER).execute(Tuple.of(programId, endpointId, deliveryId, retryWindowSeconds))
        .map(rows -> rows.size() > 0);
  }

  private Future<Paged> withAttempts(long programId, Paged page) {
    if (page.data().isEmpty()) {
      return Future.succeededFuture(page);
    }
    Long[] ids = page.data().stream().map(d -> Long.parseLong(((JsonObject) d).getString("id")))
        .toArray(Long[]::new);
    return pool.preparedQuery(ATTEMPTS).execute(Tuple.of(programId, (Object) ids)).map(rows -> {
      Map<String, JsonArray> byDelivery = new HashMap<>();
      for (Row r : rows) {
        byDelivery.computeIfAbsent(Rows.id(r, "delivery_id"), k -> new JsonArray()).add(new JsonObject()
            .put("attempted_at", Rows.time(r, "attempted_at"))
            .put("status_code", r.getInteger("status_code"))
            .put("latency_ms", r.getInteger("latency_ms"))
            .put("error", r.getString("error")));
      }
      page.data().forEach(d -> ((JsonObject) d).put("attempts",
          byDelivery.getOrDefault(((JsonObject) d).getString("id"), new JsonArray())));
      return page;
    });
  }

  static JsonObject toJson(Row r) {
    JsonArray events = new JsonArray();
    for (String e : r.getArrayOfStrings("events")) {
      events.add(e);
    }
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("affiliate_id", Rows.id(r, "affiliate_id"))
        .put("url", r.getString("url"))
        .put("method", r.getString("method"))
        .put("events", events)
        .put("state", r.getString("state"))
        .put("consecutive_failures", r.getInteger("consecutive_failures"))
        .put("breaker_open_until", Rows.time(r, "breaker_open_until"))
        .put("created_at", Rows.time(r, "created_at"))
        .put("updated_at", Rows.time(r, "updated_at"));
  }

  static JsonObject deliveryJson(Row r) {
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("event_id", r.getString("event_id"))
        .put("event", r.getString("event"))
        .put("status", r.getString("status"))
        .put("attempt_count", r.getInteger("attempt_count"))
        .put("next_attempt_at", "pending".equals(r.getString("status")) ? Rows.time(r, "next_attempt_at") : null)
        .put("give_up_at", Rows.time(r, "give_up_at"))
        .put("last_error", r.getString("last_error"))
        .put("delivered_at", Rows.time(r, "delivered_at"))
        .put("created_at", Rows.time(r, "created_at"));
  }
}
