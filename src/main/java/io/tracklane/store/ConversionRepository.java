package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.List;

/** Reading conversions (sales and refunds) as the ledger recorded them. */
public final class ConversionRepository {
  private static final String SELECT = """
      SELECT v.id, v.event_id, v.kind, v.transaction_id, v.amount_minor, v.currency, v.click_id, v.coupon,
             v.customer_id, v.affiliate_id, v.campaign_id, v.link_id, v.status, v.trust, v.refund_id, v.reject_reason,
             v.occurred_at, v.created_at""";

  private final Pool pool;

  public ConversionRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Paged> list(Filter filter, long offset, int limit) {
    return Paged.query(pool, SELECT, "FROM conversions v", filter, "ORDER BY v.id DESC", offset, limit,
        ConversionRepository::toJson);
  }

  /** Every row the filter selects (alias v), unpaged: the filter bounds it, e.g. by a page's ids. */
  public Future<List<JsonObject>> all(Filter filter) {
    return Select.all(pool, SELECT + " FROM conversions v", filter, "ORDER BY v.id", ConversionRepository::toJson);
  }

  static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("event_id", r.getString("event_id"))
        .put("kind", r.getString("kind"))
        .put("transaction_id", r.getString("transaction_id"))
        .put("amount_cents", r.getLong("amount_minor"))
        .put("currency", r.getString("currency"))
        .put("click_id", r.getString("click_id"))
        .put("coupon", r.getString("coupon"))
        .put("customer_id", Rows.id(r, "customer_id"))
        .put("affiliate_id", Rows.id(r, "affiliate_id"))
        .put("campaign_id", Rows.id(r, "campaign_id"))
        .put("link_id", Rows.id(r, "link_id"))
        .put("status", r.getString("status"))
        .put("trust", r.getString("trust"))
        .put("refund_id", r.getString("refund_id"))
        .put("reject_reason", r.getString("reject_reason"))
        .put("occurred_at", Rows.time(r, "occurred_at"))
        .put("created_at", Rows.time(r, "created_at"));
  }
}
