package io.tracklane.ledger;

import io.tracklane.ledger.LedgerPropertyTest.Op;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ledger's rules written plainly, as a reference for {@link LedgerPropertyTest}: attribution
 * order, binding per program, cadence per (customer, campaign), conversion and percent rounded once,
 * several refunds per sale each once, none beyond the sale, a refund before its sale waiting for it.
 */
final class LedgerModel {
  static final Map<String, BigDecimal> USD_RATES = Map.of("EUR", new BigDecimal("0.9213"),
      "JPY", new BigDecimal("151.37"), "BHD", new BigDecimal("0.3761"));
  private static final Map<String, Integer> DIGITS = Map.of("EUR", 2, "JPY", 0, "BHD", 3, "USD", 2);
  private static final BigDecimal PERCENT = new BigDecimal("12.5");

  /** A sale as sent: its amount in its own currency, who it credited, and its commission (0: none). */
  record Sale(long amount, String currency, Integer affiliate, long commission) {
  }

  /** A refund that came before its sale, applied once the sale is known. */
  private record Waiting(String identity, Long amount) {
  }

  final String[] cadences;
  final long leadReward;
  final String currency;
  final Map<String, Sale> sales = new HashMap<>();
  final List<String> saleOrder = new ArrayList<>();
  final Map<Integer, int[]> binding = new HashMap<>();
  final Map<String, Integer> commissioned = new HashMap<>();
  final Map<Integer, Long> totals = new HashMap<>();
  final Map<String, Long> refunded = new HashMap<>();
  final Set<String> refundKeys = new HashSet<>();
  private final Map<String, List<Waiting>> waiting = new HashMap<>();
  /** Sales and leads rejected so far, by transaction id, as they were sent. */
  private final Map<String, Op> rejected = new HashMap<>();
  int processed;

  LedgerModel(String[] cadences, long leadReward, String currency) {
    this.cadences = cadences;
    this.leadReward = leadReward;
    this.currency = currency;
  }

  String saleCurrency(boolean usd) {
    return usd ? "USD" : currency;
  }

  void apply(Op op, String tx) {
    processed++;
    decide(op, tx);
  }

  /**
   * The same sale or lead again (a duplicate, a redelivery): a rejected one is reprocessed against the
   * state now (a later fact may have bound its customer); a credited one changes nothing.
   */
  void resend(String tx) {
    Op op = rejected.get(tx);
    if (op != null) {
      decide(op, tx);
    }
  }

  private void decide(Op op, String tx) {
    int[] credit = switch (op.via()) {
      case "click", "coupon" -> new int[] {op.affiliate(), op.campaign()};
      default -> op.customer() >= 0 ? binding.get(op.customer()) : null;
    };
    String saleCurrency = saleCurrency(op.usd());
    if (credit == null) {
      rejected.put(tx, op);
      if ("sale".equals(op.kind()) && !sales.containsKey(tx)) {
        record(tx, new Sale(op.amount(), saleCurrency, null, 0));
      }
      return;
    }
    rejected.remove(tx);
    if (op.customer() >= 0) {
      binding.putIfAbsent(op.customer(), credit);
    }
    if ("lead".equals(op.kind())) {
      totals.merge(credit[0], leadReward, Long::sum);
      return;
    }
    String cadenceKey = op.customer() + "|" + credit[1];
    int count = op.customer() >= 0 ? commissioned.getOrDefault(cadenceKey, 0) : 0;
    boolean earns = switch (cadences[credit[1]]) {
      case "one_time" -> count == 0;
      case "custom" -> count < 2;
      default -> true;
    };
    long commission = earns ? commission(op.amount(), saleCurrency) : 0;
    if (earns) {
      totals.merge(credit[0], commission, Long::sum);
      if (op.customer() >= 0) {
        commissioned.merge(cadenceKey, 1, Integer::sum);
      }
    }
    record(tx, new Sale(op.amount(), saleCurrency, credit[0], commission));
  }

  private void record(String tx, Sale sale) {
    if (sales.put(tx, sale) == null) {
      saleOrder.add(tx);
    }
    if (sale.affiliate() == null) {
      return;
    }
    List<Waiting> due = waiting.getOrDefault(tx, List.of());
    waiting.remove(tx);
    for (Waiting w : due) {
      applyRefund(tx, w);
    }
  }

  /** A refund of {@code amount} (null: the rest), identified among the sale's refunds by {@code identity}. */
  void refund(String tx, String identity, Long amount) {
    if (!refundKeys.add(tx + "|" + identity)) {
      return;
    }
    processed++;
    applyRefund(tx, new Waiting(identity, amount));
  }

  /** Applies the refund, or keeps it waiting while its sale is unknown or rejected. */
  private void applyRefund(String tx, Waiting w) {
    Sale sale = sales.get(tx);
    if (sale == null || sale.affiliate() == null) {
      waiting.computeIfAbsent(tx, k -> new ArrayList<>()).add(w);
      return;
    }
    long before = refunded.getOrDefault(tx, 0L);
    long refund = w.amount() == null ? sale.amount() - before : w.amount();
    if (before + refund > sale.amount() || before >= sale.amount()) {
      return;
    }
    refunded.put(tx, before + refund);
    if (sale.commission() > 0) {
      long back = share(sale.commission(), before + refund, sale.amount()) - share(sale.commission(), before,
          sale.amount());
      totals.merge(sale.affiliate(), -back, Long::sum);
    }
  }

  /** 12.5% of the sale, converted at the stored rate when in USD, computed exactly and rounded once. */
  private long commission(long amount, String saleCurrency) {
    BigDecimal inCampaign = "USD".equals(saleCurrency)
        ? new BigDecimal(amount).multiply(USD_RATES.get(currency)).movePointRight(DIGITS.get(currency) - 2)
        : new BigDecimal(amount);
    return inCampaign.multiply(PERCENT).movePointLeft(2).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
  }

  private static long share(long commission, long part, long whole) {
    return new BigDecimal(commission).multiply(new BigDecimal(part))
        .divide(new BigDecimal(whole), 0, RoundingMode.HALF_EVEN).longValueExact();
  }
}
