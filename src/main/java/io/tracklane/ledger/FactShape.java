package io.tracklane.ledger;

import io.tracklane.domain.InvalidInput;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The types of the fields the ledger reads from a fact, checked before anything reads them. A fact
 * of the wrong shape is its own fault and is dead-lettered naming the field; so a ClassCastException
 * or NullPointerException later in the ledger is always a bug, retried and never dead-lettered.
 */
final class FactShape {
  private enum Type { TEXT, WHOLE, FLAG, LIST }

  private static final Map<String, Type> POSTBACK = Map.ofEntries(Map.entry("transaction_id", Type.TEXT),
      Map.entry("event", Type.TEXT), Map.entry("click_id", Type.TEXT), Map.entry("coupon", Type.TEXT),
      Map.entry("customer_id", Type.TEXT), Map.entry("customer_email", Type.TEXT), Map.entry("currency", Type.TEXT),
      Map.entry("amount", Type.TEXT), Map.entry("refund_id", Type.TEXT), Map.entry("trust", Type.TEXT),
      Map.entry("amount_minor", Type.WHOLE), Map.entry("duplicate_of", Type.TEXT));
  private static final Map<String, Type> CLICK = Map.ofEntries(Map.entry("click_id", Type.TEXT),
      Map.entry("link_id", Type.WHOLE), Map.entry("campaign_id", Type.WHOLE), Map.entry("affiliate_id", Type.WHOLE),
      Map.entry("sub1", Type.TEXT), Map.entry("sub2", Type.TEXT), Map.entry("sub3", Type.TEXT),
      Map.entry("sub4", Type.TEXT), Map.entry("sub5", Type.TEXT), Map.entry("source", Type.TEXT),
      Map.entry("ip", Type.TEXT), Map.entry("user_agent", Type.TEXT), Map.entry("referer", Type.TEXT),
      Map.entry("creditable", Type.FLAG), Map.entry("flags", Type.LIST));
  /** Money.parse's ceiling: no amount above it can come from the edge, and none overflows the arithmetic. */
  private static final long MAX_MINOR = 1_000_000_000_000_000L;

  private FactShape() {
  }

  /** Throws {@link InvalidInput} naming the first field of the wrong type. */
  static void check(CloudEvent event) {
    Map<String, Type> fields = switch (event.type()) {
      case EventTypes.POSTBACK_RECEIVED, EventTypes.POSTBACK_DUPLICATE -> POSTBACK;
      case EventTypes.CLICK_RECORDED -> CLICK;
      default -> Map.of();
    };
    JsonObject d = event.data();
    fields.forEach((name, type) -> {
      Object value = d.getValue(name);
      if (value != null && !fits(value, type)) {
        throw new InvalidInput(name, "must be " + type.name().toLowerCase(java.util.Locale.ROOT) + ", got " + value);
      }
    });
    Object amount = d.getValue("amount_minor");
    if (amount instanceof Number n && (n.longValue() < 0 || n.longValue() > MAX_MINOR)) {
      throw new InvalidInput("amount_minor", "must be between 0 and " + MAX_MINOR);
    }
  }

  private static boolean fits(Object value, Type type) {
    return switch (type) {
      case TEXT -> value instanceof String;
      case WHOLE -> value instanceof Integer || value instanceof Long;
      case FLAG -> value instanceof Boolean;
      case LIST -> value instanceof JsonArray;
    };
  }
}
