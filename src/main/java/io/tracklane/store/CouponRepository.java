package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/** Coupon codes, each owned by one affiliate in one campaign; a sale carrying one is credited to it. */
public final class CouponRepository {
  private static final String SELECT = "SELECT k.id, k.campaign_id, k.affiliate_id, k.code, k.state, k.created_at";
  private static final String INSERT = """
      INSERT INTO coupons (program_id, campaign_id, affiliate_id, code, state) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (program_id, code) DO NOTHING RETURNING id""";

  private final Pool pool;

  public CouponRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Paged> list(Filter filter, long offset, int limit) {
    return Paged.query(pool, SELECT, "FROM coupons k", filter, "ORDER BY k.id DESC", offset, limit,
        CouponRepository::toJson);
  }

  public Future<JsonObject> get(long programId, long id) {
    return pool.preparedQuery(SELECT + " FROM coupons k WHERE k.program_id = $1 AND k.id = $2")
        .execute(Tuple.of(programId, id))
        .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
  }

  /** The new coupon's id, or null when the program has this code already. */
  public Future<Long> create(SqlClient client, long programId, long campaignId, long affiliateId, String code,
      String state) {
    return client.preparedQuery(INSERT).execute(Tuple.of(programId, campaignId, affiliateId, code, state))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("id"));
  }

  static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("campaign_id", Rows.id(r, "campaign_id"))
        .put("affiliate_id", Rows.id(r, "affiliate_id"))
        .put("code", r.getString("code"))
        .put("state", r.getString("state"))
        .put("created_at", Rows.time(r, "created_at"));
  }
}
