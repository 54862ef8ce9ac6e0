package io.tracklane.domain;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic event ids: the same fact always gets the same id, so every sink can dedupe and a
 * redelivery or replay changes nothing.
 */
public final class EventIds {
  private EventIds() {
  }

  public static String click(String clickId) {
    return "clk_" + clickId;
  }

  /** One id per (program, event kind, transaction id): the postback's idempotency key. */
  public static String postback(long programId, String event, String transactionId) {
    return "pb_" + name(programId + "|" + event + "|" + transactionId);
  }

  /**
   * A refund's idempotency key: several refunds of one sale each have their own id, named by
   * {@link Refunds#identity}, and a retried refund has the same.
   */
  public static String refund(long programId, String transactionId, String identity) {
    return "pb_" + name(programId + "|refund|" + transactionId + "|" + identity);
  }

  /**
   * A repeated postback's own id: random, since each repeat is a new request, but shaped like a
   * postback id so its status can be asked for the same way.
   */
  public static String postbackRepeat() {
    return "pb_" + UUID.randomUUID().toString().replace("-", "");
  }

  /** A derived event: what happened ({@code type}) to which ledger row, keyed by its natural key. */
  public static String derived(String type, long programId, String naturalKey) {
    return "ev_" + name(type + "|" + programId + "|" + naturalKey);
  }

  private static String name(String text) {
    return UUID.nameUUIDFromBytes(text.getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
  }
}
