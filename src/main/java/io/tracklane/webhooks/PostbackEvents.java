package io.tracklane.webhooks;

import io.tracklane.domain.PostbackMacros;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * Which firehose events partner postbacks fire on, and the values they carry: the event's own data
 * plus what the ledger knows of it (the affiliate's commission, the click's sub ids and source),
 * read once when the event is consumed and kept with each delivery.
 */
public final class PostbackEvents {
  public static final String CONVERSION = "conversion";
  public static final String LEAD = "lead";
  public static final String COMMISSION_STATUS_CHANGED = "commission_status_changed";
  public static final String REFUND = "refund";
  /** The event names an endpoint subscribes to, as the API and the {event} macro spell them. */
  public static final List<String> NAMES = List.of(CONVERSION, LEAD, COMMISSION_STATUS_CHANGED, REFUND);

  private static final String CLICK = """
      SELECT sub1, sub2, sub3, sub4, sub5, source FROM clicks WHERE program_id = $1 AND click_id = $2 LIMIT 1""";
  private static final String COMMISSION_OF = """
      SELECT sum(amount_minor)::bigint AS minor, min(currency) AS currency FROM commissions
       WHERE program_id = $1 AND %s = $2 AND kind = ANY($3)""";
  private static final String STATUS_SOURCE = """
      SELECT coalesce(cv.transaction_id, l.transaction_id) AS transaction_id,
             coalesce(cv.click_id, l.click_id) AS click_id, cv.amount_minor, cv.currency
        FROM commissions c
        LEFT JOIN conversions cv ON cv.id = c.conversion_id
        LEFT JOIN leads l ON l.id = c.lead_id
       WHERE c.program_id = $1 AND c.id = $2""";
  private static final String SALE = """
      SELECT click_id, affiliate_id, campaign_id FROM conversions WHERE program_id = $1 AND id = $2""";

  /** An event partner postbacks fire on: its name, the affiliate it belongs to, and its values. */
  public record Resolved(String name, Long affiliateId, JsonObject context) {
  }

  private PostbackEvents() {
  }

  /** The event's postback values, or null when postbacks do not fire on it. */
  public static Future<Resolved> resolve(SqlClient db, CloudEvent event) {
    JsonObject d = event.data();
    long program = event.programId();
    JsonObject c = new JsonObject().put("event_id", event.id()).put("occurred_at", event.time().toString());
    switch (event.type()) {
      case EventTypes.CONVERSION_CREATED -> {
        if (!"sale".equals(d.getString("kind"))) {
          return Future.succeededFuture();
        }
        c.put("event", CONVERSION).put("conversion_id", d.getString("conversion_id"));
        common(c, d);
        amount(c, "amount", d.getLong("amount_cents"), d.getString("currency"));
        return commission(db, program, "conversion_id", id(d, "conversion_id"), List.of("sale"), c)
            .compose(v -> click(db, program, c)).map(v -> new Resolved(CONVERSION, id(d, "affiliate_id"), c));
      }
      case EventTypes.LEAD_CREATED -> {
        c.put("event", LEAD).put("lead_id", d.getString("lead_id"));
        common(c, d);
        amount(c, "amount", null, null);
        return commission(db, program, "lead_id", id(d, "lead_id"), List.of("lead"), c)
            .compose(v -> click(db, program, c)).map(v -> new Resolved(LEAD, id(d, "affiliate_id"), c));
      }
      case EventTypes.COMMISSION_STATUS_CHANGED -> {
        c.put("event", COMMISSION_STATUS_CHANGED).put("commission_id", d.getString("commission_id"))
            .put("status_from", d.getString("from")).put("status_to", d.getString("to"))
            .put("affiliate_id", d.getString("affiliate_id")).put("campaign_id", d.getString("campaign_id"));
        amount(c, "commission", d.getLong("amount_cents"), d.getString("currency"));
        return db.preparedQuery(STATUS_SOURCE).execute(Tuple.of(program, id(d, "commission_id"))).compose(rows -> {
          Row r = first(rows);
          c.put("transaction_id", r == null ? null : r.getString("transaction_id"))
              .put("click_id", r == null ? null : r.getString("click_id"));
          amount(c, "amount", r == null ? null : r.getLong("amount_minor"), r == null ? null : r.getString("currency"));
          return click(db, program, c);
        }).map(v -> new Resolved(COMMISSION_STATUS_CHANGED, id(d, "affiliate_id"), c));
      }
      case EventTypes.REFUND_RECORDED -> {
        c.put("event", REFUND).put("refund_id", d.getString("refund_id"))
            .put("sale_conversion_id", d.getString("sale_conversion_id"))
            .put("transaction_id", d.getString("transaction_id"));
        amount(c, "amount", d.getLong("amount_cents"), d.getString("currency"));
        return db.preparedQuery(SALE).execute(Tuple.of(program, id(d, "sale_conversion_id"))).compose(rows -> {
          Row r = first(rows);
          c.put("click_id", r == null ? null : r.getString("click_id"))
              .put("affiliate_id", r == null ? null : str(r.getLong("affiliate_id")))
              .put("campaign_id", r == null ? null : str(r.getLong("campaign_id")));
          return commission(db, program, "conversion_id", id(d, "refund_id"), List.of("refund", "clawback"), c);
        }).compose(v -> click(db, program, c)).map(v -> new Resolved(REFUND, id(c, "affiliate_id"), c));
      }
      default -> {
        return Future.succeededFuture();
      }
    }
  }

  private static void common(JsonObject c, JsonObject d) {
    c.put("transaction_id", d.getString("transaction_id")).put("click_id", d.getString("click_id"))
        .put("affiliate_id", d.getString("affiliate_id")).put("campaign_id", d.getString("campaign_id"));
  }

  /** {@code <name>_cents}, {@code <name>} (exact decimal in major units) and {@code <name>_currency}. */
  private static void amount(JsonObject c, String name, Long minor, String currency) {
    c.put(name + "_cents", minor).put(name, PostbackMacros.amount(minor, currency));
    c.put(name.equals("amount") ? "currency" : name + "_currency", currency);
  }

  private static Future<Void> commission(SqlClient db, long program, String column, Long id, List<String> kinds,
      JsonObject c) {
    if (id == null) {
      amount(c, "commission", null, null);
      return Future.succeededFuture();
    }
    return db.preparedQuery(COMMISSION_OF.formatted(column))
        .execute(Tuple.of(program, id, (Object) kinds.toArray(new String[0]))).map(rows -> {
          Row r = first(rows);
          amount(c, "commission", r == null ? null : r.getLong("minor"), r == null ? null : r.getString("currency"));
          return null;
        });
  }

  private static Future<Void> click(SqlClient db, long program, JsonObject c) {
    String clickId = c.getString("click_id");
    for (int i = 1; i <= 5; i++) {
      c.put("sub" + i, null);
    }
    c.put("source", null);
    if (clickId == null) {
      return Future.succeededFuture();
    }
    return db.preparedQuery(CLICK).execute(Tuple.of(program, clickId)).map(rows -> {
      Row r = first(rows);
      if (r != null) {
        for (int i = 1; i <= 5; i++) {
          c.put("sub" + i, r.getString("sub" + i));
        }
        c.put("source", r.getString("source"));
      }
      return null;
    });
  }

  private static Row first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : rows.iterator().next();
  }

  private static Long id(JsonObject o, String field) {
    String v = o.getString(field);
    try {
      return v == null ? null : Long.parseLong(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String str(Long v) {
    return v == null ? null : v.toString();
  }
}
