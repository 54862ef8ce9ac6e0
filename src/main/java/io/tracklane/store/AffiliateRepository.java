package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/** Affiliates and their enrolments in campaigns. */
public final class AffiliateRepository {
  private static final String SELECT = """
      SELECT a.id, a.first_name, a.last_name, a.email, a.payout_email, a.time_zone, a.state, a.created_at,
             a.updated_at,
             (SELECT coalesce(json_agg(json_build_object('campaign_id', e.campaign_id::text, 'state', e.state)
                                       ORDER BY e.campaign_id), '[]')
                FROM enrollments e WHERE e.affiliate_id = a.id) AS campaigns""";
  private static final String GET = SELECT + " FROM affiliates a WHERE a.program_id = $1 AND a.id = $2";
  private static final String UPSERT = """
      INSERT INTO affiliates (program_id, first_name, last_name, email)
      VALUES ($1, $2, $3, $4)
      ON CONFLICT (program_id, email) DO UPDATE SET updated_at = affiliates.updated_at
      RETURNING id, (xmax = 0) AS created""";
  private static final String ENROLL = """
      INSERT INTO enrollments (program_id, campaign_id, affiliate_id, state) VALUES ($1, $2, $3, $4)
      ON CONFLICT (campaign_id, affiliate_id) DO NOTHING RETURNING id""";
  private static final String UPDATE = """
      UPDATE affiliates SET first_name = $3, last_name = $4, payout_email = $5, state = $6, updated_at = now()
      WHERE program_id = $1 AND id = $2""";
  private static final String UPDATE_SETTINGS = """
      UPDATE affiliates SET payout_email = $3, time_zone = $4, updated_at = now() WHERE program_id = $1 AND id = $2""";
  private static final String IS_ENROLLED = """
      SELECT 1 FROM enrollments WHERE program_id = $1 AND campaign_id = $2 AND affiliate_id = $3""";

  private final Pool pool;

  public AffiliateRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Paged> list(Filter filter, long offset, int limit) {
    return Paged.query(pool, SELECT, "FROM affiliates a", filter, "ORDER BY a.id DESC", offset, limit,
        AffiliateRepository::toJson);
  }

  public Future<JsonObject> get(long programId, long id) {
    return get(pool, programId, id);
  }

  /** The same through {@code client}, e.g. inside the transaction of a change. */
  public Future<JsonObject> get(SqlClient client, long programId, long id) {
    return client.preparedQuery(GET).execute(Tuple.of(programId, id))
        .map(rows -> Rows.first(rows, AffiliateRepository::toJson));
  }

  /** The affiliate, locked until the transaction ends (the "before" of a change), or null. */
  public Future<JsonObject> lock(SqlClient tx, long programId, long id) {
    return tx.preparedQuery(GET + " FOR UPDATE OF a").execute(Tuple.of(programId, id))
        .map(rows -> Rows.first(rows, AffiliateRepository::toJson));
  }

  /** The affiliate's id and whether the upsert created it. */
  public record Upserted(long id, boolean created) {
  }

  /** The affiliate with this e-mail, created when new. */
  public Future<Upserted> upsert(SqlClient client, long programId, String firstName, String lastName, String email) {
    return client.preparedQuery(UPSERT).execute(Tuple.of(programId, firstName, lastName, email)).map(rows -> {
      Row r = rows.iterator().next();
      return new Upserted(r.getLong("id"), r.getBoolean("created"));
    });
  }

  /** True when the enrolment is new, false when the affiliate was already in the campaign. */
  public Future<Boolean> enroll(SqlClient client, long programId, long campaignId, long affiliateId, String state) {
    return client.preparedQuery(ENROLL).execute(Tuple.of(programId, campaignId, affiliateId, state))
        .map(rows -> rows.size() == 1);
  }

  public Future<Void> update(SqlClient client, long programId, long id, JsonObject merged) {
    return client.preparedQuery(UPDATE).execute(Tuple.of(programId, id, merged.getString("first_name"),
        merged.getString("last_name"), merged.getString("payout_email"), merged.getString("state"))).mapEmpty();
  }

  /** What the affiliate itself may change (the partner API's settings). */
  public Future<Void> updateSettings(SqlClient client, long programId, long id, String payoutEmail, String timeZone) {
    return client.preparedQuery(UPDATE_SETTINGS).execute(Tuple.of(programId, id, payoutEmail, timeZone)).mapEmpty();
  }

  public Future<Boolean> isEnrolled(long programId, long campaignId, long affiliateId) {
    return pool.preparedQuery(IS_ENROLLED).execute(Tuple.of(programId, campaignId, affiliateId))
        .map(rows -> rows.size() > 0);
  }

  /** Every row the filter selects (alias a), unpaged: the filter bounds it, e.g. by a page's ids. */
  public Future<List<JsonObject>> all(Filter filter) {
    return Select.all(pool, SELECT + " FROM affiliates a", filter, "ORDER BY a.id", AffiliateRepository::toJson);
  }

  static JsonObject toJson(Row r) {
    Object campaigns = r.getValue("campaigns");
    return new JsonObject()
        .put("id", Rows.id(r, "id"))
        .put("first_name", r.getString("first_name"))
        .put("last_name", r.getString("last_name"))
        .put("email", r.getString("email"))
        .put("payout_email", r.getString("payout_email"))
        .put("time_zone", r.getString("time_zone"))
        .put("state", r.getString("state"))
        .put("campaigns", campaigns instanceof JsonArray a ? a : new JsonArray())
        .put("created_at", Rows.time(r, "created_at"))
        .put("updated_at", Rows.time(r, "updated_at"));
  }
}
