package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

/** Reading leads and the facts the ledger could not credit (with their reasons). */
public final class LeadRepository {
  private static final String LEADS = """
      SELECT d.id, d.transaction_id, d.customer_id, d.click_id, d.affiliate_id, d.campaign_id, d.status,
             d.reject_reason, d.occurred_at, d.created_at""";
  private static final String REJECTED = """
      SELECT j.id, j.event_id, j.event_type, j.transaction_id, j.reason, j.payload, j.attempts, j.resolved_at,
             j.created_at""";

  private final Pool pool;

  public LeadRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Paged> leads(Filter filter, long offset, int limit) {
    return Paged.query(pool, LEADS, "FROM leads d", filter, "ORDER BY d.id DESC", offset, limit, r -> new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("transaction_id", r.getString("transaction_id"))
        .put("customer_id", Rows.id(r, "customer_id"))
        .put("click_id", r.getString("click_id"))
        .put("affiliate_id", Rows.id(r, "affiliate_id"))
        .put("campaign_id", Rows.id(r, "campaign_id"))
        .put("status", r.getString("status"))
        .put("reject_reason", r.getString("reject_reason"))
        .put("occurred_at", Rows.time(r, "occurred_at"))
        .put("created_at", Rows.time(r, "created_at")));
  }

  public Future<Paged> rejected(Filter filter, long offset, int limit) {
    return Paged.query(pool, REJECTED, "FROM rejected_events j", filter, "ORDER BY j.id DESC", offset, limit,
        LeadRepository::rejectedJson);
  }

  private static JsonObject rejectedJson(Row r) {
    Object payload = r.getValue("payload");
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("event_id", r.getString("event_id"))
        .put("event_type", r.getString("event_type"))
        .put("transaction_id", r.getString("transaction_id"))
        .put("reason", r.getString("reason"))
        .put("payload", payload instanceof JsonObject json ? json : null)
        .put("attempts", r.getInteger("attempts"))
        .put("resolved_at", Rows.time(r, "resolved_at"))
        .put("created_at", Rows.time(r, "created_at"));
  }
}
