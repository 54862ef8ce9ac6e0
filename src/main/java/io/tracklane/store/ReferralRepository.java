package io.tracklane.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.List;

/**
 * Referral visits: the clicks the ledger recorded (table clicks, alias r), each with the e-mail of
 * the customer its lead or sale brought, if any. conversion_state is what the ledger marked:
 * not_converted, lead (a credited lead, no sale yet) or converted (a credited sale).
 */
public final class ReferralRepository {
  private static final String SELECT = """
      SELECT r.click_id, r.created_at, r.link_id, r.campaign_id, r.affiliate_id, r.sub1, r.sub2, r.sub3, r.sub4,
             r.sub5, r.source, r.ip, r.user_agent, r.referer, r.creditable, r.flags, r.conversion_state,
             (SELECT u.email FROM customers u
               WHERE u.program_id = r.program_id
                 AND u.id IN (SELECT v.customer_id FROM conversions v
                               WHERE v.program_id = r.program_id AND v.click_id = r.click_id
                              UNION ALL
                              SELECT d.customer_id FROM leads d
                               WHERE d.program_id = r.program_id AND d.click_id = r.click_id)
               ORDER BY u.id LIMIT 1) AS customer_email""";
  /** A Filter clause: clicks whose sale or lead came from the customer with this e-mail (bind it twice). */
  public static final String CUSTOMER_EMAIL = """
      r.click_id IN (SELECT v.click_id FROM conversions v JOIN customers u ON u.id = v.customer_id
                      WHERE v.program_id = r.program_id AND lower(u.email) = lower(?)
                     UNION ALL
                     SELECT d.click_id FROM leads d JOIN customers u ON u.id = d.customer_id
                      WHERE d.program_id = r.program_id AND lower(u.email) = lower(?))""";

  private final Pool pool;

  public ReferralRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Paged> list(Filter filter, long offset, int limit) {
    return Paged.query(pool, SELECT, "FROM clicks r", filter, "ORDER BY r.created_at DESC, r.click_id DESC", offset,
        limit, ReferralRepository::toJson);
  }

  static JsonObject toJson(Row r) {
    String[] flags = r.getArrayOfStrings("flags");
    return new JsonObject()
        .put("id", r.getString("click_id"))
        .put("link_id", Rows.id(r, "link_id"))
        .put("campaign_id", Rows.id(r, "campaign_id"))
        .put("affiliate_id", Rows.id(r, "affiliate_id"))
        .put("sub1", r.getString("sub1"))
        .put("sub2", r.getString("sub2"))
        .put("sub3", r.getString("sub3"))
        .put("sub4", r.getString("sub4"))
        .put("sub5", r.getString("sub5"))
        .put("source", r.getString("source"))
        .put("referer", r.getString("referer"))
        .put("ip", r.getString("ip"))
        .put("user_agent", r.getString("user_agent"))
        .put("creditable", r.getBoolean("creditable"))
        .put("flags", new JsonArray(flags == null ? List.of() : List.of(flags)))
        .put("conversion_state", r.getString("conversion_state"))
        .put("customer_email", r.getString("customer_email"))
        .put("created_at", Rows.time(r, "created_at"));
  }
}
