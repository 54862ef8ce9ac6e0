package io.tracklane.firehose;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * What a key sees of the firehose: an owner key every event of its program; an affiliate key only
 * the events about itself (its clicks, impressions, conversions, leads, commissions, payouts), with
 * the owner-only fields of a click (the visitor's address, browser, referrer and fraud flags) removed.
 * Pure: decides on the event alone.
 */
public final class EventScope {
  /** Types an affiliate may follow, each with the data fields removed for it. */
  private static final Map<String, Set<String>> AFFILIATE = Map.of(
      EventTypes.CLICK_RECORDED, Set.of("ip", "user_agent", "referer", "flags", "creditable", "unique"),
      EventTypes.IMPRESSION_RECORDED, Set.of(),
      EventTypes.CONVERSION_CREATED, Set.of(),
      EventTypes.CONVERSION_STATUS_CHANGED, Set.of(),
      EventTypes.LEAD_CREATED, Set.of(),
      EventTypes.COMMISSION_CREATED, Set.of(),
      EventTypes.COMMISSION_STATUS_CHANGED, Set.of(),
      EventTypes.PAYOUT_CREATED, Set.of(),
      EventTypes.PAYOUT_PAID, Set.of());

  private EventScope() {
  }

  /** The event as {@code affiliateId} may see it (null: every event, for an owner key), or null if not at all. */
  public static CloudEvent view(CloudEvent event, long programId, Long affiliateId) {
    if (event.programId() != programId) {
      return null;
    }
    if (affiliateId == null) {
      return event;
    }
    Set<String> removed = AFFILIATE.get(event.type());
    Object owner = event.data().getValue("affiliate_id");
    if (removed == null || owner == null || !owner.toString().equals(affiliateId.toString())) {
      return null;
    }
    JsonObject data = event.data().copy();
    removed.forEach(data::remove);
    return new CloudEvent(event.id(), event.type(), event.programId(), event.time(), data);
  }

  /** The types an affiliate key can receive. */
  public static Set<String> affiliateTypes() {
    return AFFILIATE.keySet();
  }
}
