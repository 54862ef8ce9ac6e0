package io.tracklane.domain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/**
 * What a refund of a sale does to the sale's commissions. Nothing is edited except a status:
 * an unsettled commission is voided (full refund) or reduced by a negative entry (partial); a
 * settled one (paid, or gathered into a payout) gets a negative clawback that the next payout nets.
 */
public final class Refunds {
  private Refunds() {
  }

  /** A commission of the refunded sale, as the ledger holds it. */
  public record Held(long id, Money amount, CommissionStatus status, boolean inPayout) {
  }

  /** One movement the refund causes. */
  public sealed interface Movement permits Cancel, Reverse {
  }

  /** Void the commission: a full refund before it was settled. */
  public record Cancel(long commissionId) implements Movement {
  }

  /** Add a negative entry against the commission; {@code kind} is refund or clawback. */
  public record Reverse(long commissionId, String kind, Money amount, CommissionStatus status)
      implements Movement {
  }

  /**
   * The movements for refunding {@code refund} of a sale of {@code sale}: a refund of the whole sale
   * (or more) is full; a partial one reverses the same share of each commission, half-even.
   */
  public static List<Movement> plan(List<Held> commissions, Money refund, Money sale) {
    boolean full = refund.minor() >= sale.minor();
    BigDecimal share = full || sale.minor() == 0 ? BigDecimal.valueOf(100)
        : BigDecimal.valueOf(refund.minor()).multiply(BigDecimal.valueOf(100))
            .divide(BigDecimal.valueOf(sale.minor()), MathContext.DECIMAL128);
    List<Movement> out = new ArrayList<>();
    for (Held c : commissions) {
      if (c.status() == CommissionStatus.VOIDED || c.amount().minor() <= 0) {
        continue;
      }
      boolean settled = c.status() == CommissionStatus.PAID || c.inPayout();
      Money part = full ? c.amount() : c.amount().percent(share);
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
}
