package io.tracklane.firehose;

/** CloudEvents {@code type} values. Each has a JSON Schema for its data under docs/events/. */
public final class EventTypes {
  public static final String CLICK_RECORDED = "tracklane.click.recorded.v1";
  public static final String IMPRESSION_RECORDED = "tracklane.impression.recorded.v1";
  public static final String POSTBACK_RECEIVED = "tracklane.postback.received.v1";
  /** A repeat of a postback already accepted, known at the edge; recorded, never credited. */
  public static final String POSTBACK_DUPLICATE = "tracklane.postback.duplicate.v1";
  public static final String CONVERSION_CREATED = "tracklane.conversion.created.v1";
  /** A conversion recorded as rejected that a later fact or a retry credited. */
  public static final String CONVERSION_STATUS_CHANGED = "tracklane.conversion.status_changed.v1";
  public static final String CONVERSION_REJECTED = "tracklane.conversion.rejected.v1";
  public static final String COMMISSION_CREATED = "tracklane.commission.created.v1";
  public static final String COMMISSION_STATUS_CHANGED = "tracklane.commission.status_changed.v1";
  public static final String LEAD_CREATED = "tracklane.lead.created.v1";
  public static final String REFUND_RECORDED = "tracklane.refund.recorded.v1";
  public static final String PAYOUT_CREATED = "tracklane.payout.created.v1";
  public static final String PAYOUT_PAID = "tracklane.payout.paid.v1";
  public static final String API_KEY_CREATED = "tracklane.api_key.created.v1";
  public static final String API_KEY_REVOKED = "tracklane.api_key.revoked.v1";

  private EventTypes() {
  }
}
