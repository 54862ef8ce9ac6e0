package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Coupon codes, each owned by one affiliate in one campaign; a sale carrying one is credited to it
 * while the coupon is active. The code never changes: it is the key the ledger attributes by.
 */
public final class CouponRepository {
  private static final String SELECT = """
      SELECT k.id, k.campaign_id, k.affiliate_id, k.code, k.description, k.state, k.created_at, k.updated_at""";
  private static final String GET = SELECT + " FROM coupons k WHERE k.program_id = $1 AND k.id = $2";
  private static final String INSERT = """
      INSERT INTO coupons (program_id, campaign_id, affiliate_id, code, description, state)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (program_id, code) DO NOTHING RETURNING id""";
  private static final String UPDATE = """
      UPDATE coupons SET campaign_id = $3, affiliate_id = $4, description = $5, state = $6, updated_at = now()
       WHERE program_id = $1 AND id = $2""";

  private final Pool pool;

  public CouponRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Paged> list(Filter filter, long offset, int limit) {
    return Paged.query(pool, SELECT, "FROM coupons k", filter, "ORDER BY k.id DESC", offset, limit,
        CouponRepository::toJson);
  }

  public Future<JsonObject> get(long programId, long id) {
    return get(pool, programId, id);
  }

  /** The same through {@code client}, e.g. inside the transaction of a change. */
  public Future<JsonObject> get(SqlClient client, long programId, long id) {
    return client.preparedQuery(GET).execute(Tuple.of(programId, id))
        .map(rows -> Rows.first(rows, CouponRepository::toJson));
  }

  /** The coupon, locked until the transaction ends (the "before" of a change), or null. */
  public Future<JsonObject> lock(SqlClient tx, long programId, long id) {
    return tx.preparedQuery(GET + " FOR UPDATE").execute(Tuple.of(programId, id))
        .map(rows -> Rows.first(rows, CouponRepository::toJson));
  }

  /** The new coupon's id, or null when the program has this code already. */
  public Future<Long> create(SqlClient client, long programId, long campaignId, long affiliateId, String code,
      String description, String state) {
    return client.preparedQuery(INSERT)
        .execute(Tuple.of(programId, campaignId, affiliateId, code, description, state))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("id"));
  }

  /** Writes the coupon's changeable fields from {@code merged} (the stored coupon with the change over it). */
  public Future<Void> update(SqlClient client, long programId, long id, JsonObject merged) {
    return client.preparedQuery(UPDATE).execute(Tuple.of(programId, id,
        Long.parseLong(merged.getString("campaign_id")), Long.parseLong(merged.getString("affiliate_id")),
        merged.getString("description"), merged.getString("state"))).mapEmpty();
  }

  static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("campaign_id", Rows.id(r, "campaign_id"))
        .put("affiliate_id", Rows.id(r, "affiliate_id"))
        .put("code", r.getString("code"))
        .put("description", r.getString("description"))
        .put("state", r.getString("state"))
        .put("created_at", Rows.time(r, "created_at"))
        .put("updated_at", Rows.time(r, "updated_at"));
  }
}
