package io.tracklane.domain;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What refunds of a sale do to the sale's commissions. A sale may be refunded several times; each
 * refund applies once. Nothing is edited except a status: an unsettled commission is reduced by a
 * negative entry (partial) or voided once the sale is fully refunded; a settled one (paid, or gathered
 * into a payout) gets a negative clawback that the next payout nets.
 */
public final class Refunds {
  public static final String OVER_REFUND = "over_refund";

  private Refunds() {
  }

  /** A commission of the refunded sale, as the ledger holds it. */
  public record Held(long id, Money amount, CommissionStatus status, boolean inPayout) {
  }

  /** One movement the refund causes. */
  public sealed interface Movement permits Cancel, Reverse {
  }

  /** Void the commission (and its unsettled refund entries): the sale is fully refunded before it was settled. */
  public record Cancel(long commissionId) implements Movement {
  }

  /** Add a negative entry against the commission; {@code kind} is refund or clawback. */
  public record Reverse(long commissionId, String kind, Money amount, CommissionStatus status)
      implements Movement {
  }

  /**
   * A refund's identity among the refunds of its sale: the advertiser's {@code refund_id}, else its
   * amount (so a retried refund applies once, and two refunds of the same amount need ids), else
   * "rest" (a refund without an amount refunds what remains; a second one finds nothing left).
   *
   * @param amountMajor the amount as sent, in major units; trailing zeros do not matter
   */
  public static String identity(String refundId, BigDecimal amountMajor) {
    if (refundId != null && !refundId.isBlank()) {
      return "id:" + refundId;
    }
    return amountMajor == null ? "rest" : "amount:" + amountMajor.stripTrailingZeros().toPlainString();
  }

  /** What remains to refund of the sale after the refunds before. */
  public static Money rest(Money sale, Money refundedBefore) {
    return sale.minus(refundedBefore);
  }

  /** {@code over_refund} when the refund exceeds what remains, or nothing remains. */
  public static Optional<String> reject(Money sale, Money refundedBefore, Money refund) {
    Money rest = rest(sale, refundedBefore);
    return refund.minor() > rest.minor() || rest.minor() <= 0 ? Optional.of(OVER_REFUND) : Optional.empty();
  }

  /**
   * The movements for refunding {@code refund} of {@code sale} after {@code refundedBefore}. Each
   * commission's reversal so far is its exact share of everything refunded, rounded once; this
   * refund reverses the difference, so the entries of all refunds add up to the commission exactly.
   */
  public static List<Movement> plan(List<Held> commissions, Money sale, Money refundedBefore, Money refund) {
    long before = refundedBefore.minor();
    long after = Math.addExact(before, refund.minor());
    boolean full = after >= sale.minor();
    List<Movement> out = new ArrayList<>();
    for (Held c : commissions) {
      if (c.status() == CommissionStatus.VOIDED || c.amount().minor() <= 0) {
        continue;
      }
      boolean settled = c.status() == CommissionStatus.PAID || c.inPayout();
      Money part = full ? c.amount().minus(reversed(c.amount(), before, sale))
          : reversed(c.amount(), after, sale).minus(reversed(c.amount(), before, sale));
      if (settled) {
        if (part.minor() > 0) {
          out.add(new Reverse(c.id(), "clawback", part.negate(), CommissionStatus.DUE));
        }
      } else if (full) {
        out.add(new Cancel(c.id()));
      } else if (part.minor() > 0) {
        out.add(new Reverse(c.id(), "refund", part.negate(), c.status()));
      }
    }
    return out;
  }

  private static Money reversed(Money commission, long refunded, Money sale) {
    return sale.minor() == 0 ? commission : commission.share(Math.min(refunded, sale.minor()), sale.minor());
  }
}
