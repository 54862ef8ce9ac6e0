package io.tracklane.domain;

import java.util.Map;
import java.util.Set;

/**
 * A commission's status and the moves an owner may make by hand. {@code paid} is reached by paying
 * its payout, or for a due commission in no payout by paying it alone (as a payout of one), and
 * {@code voided} is final: history is corrected by new entries, not edits.
 */
public enum CommissionStatus {
  PENDING("pending"),
  DUE("due"),
  PAID("paid"),
  VOIDED("voided");

  private static final Map<CommissionStatus, Set<CommissionStatus>> OWNER_MOVES = Map.of(
      PENDING, Set.of(DUE, VOIDED),
      // Not back to pending: the due job would move it straight back once its delay is over.
      DUE, Set.of(VOIDED, PAID),
      PAID, Set.of(),
      VOIDED, Set.of());

  private final String wire;

  CommissionStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /**
   * Whether an owner may move a commission from this status to {@code to}. A commission already
   * gathered into a payout is frozen until the payout is paid, so the payout's sum stays true.
   */
  public boolean ownerMayMove(CommissionStatus to, boolean inPayout) {
    return !inPayout && OWNER_MOVES.get(this).contains(to);
  }

  /**
   * Whether a due commission of this amount may be paid on its own, as a payout of one. A payout
   * pays the affiliate something: a negative entry (a refund's share, a clawback) is netted by the
   * next payout instead, and an empty one pays nothing.
   */
  public static boolean payableAlone(long amountMinor) {
    return amountMinor > 0;
  }

  public static CommissionStatus fromWire(String value) {
    for (CommissionStatus s : values()) {
      if (s.wire.equals(value)) {
        return s;
      }
    }
    throw new InvalidInput("status", "must be pending, due, paid or voided");
  }
}
