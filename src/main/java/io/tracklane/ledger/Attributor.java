package io.tracklane.ledger;

import io.tracklane.domain.Attribution;
import io.tracklane.domain.ClickId;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.ledger.CustomerStore.Customer;
import io.tracklane.ledger.LedgerStore.Owner;
import io.tracklane.ledger.LedgerStore.Terms;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Finds who a lead or sale is credited to, in the order of docs/ledger.md: a valid click id within its
 * cookie window, else a coupon owned by an affiliate, else the customer's existing binding. When
 * none credits, the reason is the first method's that was tried.
 */
final class Attributor {
  private final LedgerStore store;
  private final ClickIdCodec clickIds;

  Attributor(LedgerStore store, ClickIdCodec clickIds) {
    this.store = store;
    this.clickIds = clickIds;
  }

  /** The affiliate and campaign credited, with their terms; {@code click} is set when a click credited. */
  record Credit(long campaignId, long affiliateId, Long linkId, ClickId click, Terms terms) {
  }

  /** Either a credit or the reason there is none. */
  record Outcome(Credit credit, String reason) {
    static Outcome rejected(String reason) {
      return new Outcome(null, reason);
    }
  }

  Future<Outcome> attribute(SqlConnection tx, Batch batch, long programId, JsonObject d, Customer customer,
      Instant at) {
    String rawClick = d.getString("click_id");
    String coupon = d.getString("coupon");
    Supplier<Future<Outcome>> byBinding = () -> customer == null || !customer.bound()
        ? Future.succeededFuture(null)
        : withTerms(tx, batch, programId, customer.campaignId(), customer.affiliateId(), null, null);
    Supplier<Future<Outcome>> byCoupon = () -> coupon == null ? Future.succeededFuture(null)
        : byCoupon(tx, batch, programId, coupon);
    Supplier<Future<Outcome>> byClick = () -> rawClick == null ? Future.succeededFuture(null)
        : byClick(tx, batch, programId, rawClick, at);
    return firstCredit(byClick, null)
        .compose(o -> o != null && o.credit() != null ? Future.succeededFuture(o) : firstCredit(byCoupon, o))
        .compose(o -> o != null && o.credit() != null ? Future.succeededFuture(o) : firstCredit(byBinding, o))
        .map(o -> o == null ? Outcome.rejected(Attribution.NO_ATTRIBUTION) : o);
  }

  /**
   * Reads with one statement whether the edge flagged bot the clicks the sales name, into the batch's
   * lookups: attributing them then asks nothing per sale.
   */
  Future<Void> readBotFlags(SqlConnection tx, Batch batch, List<CloudEvent> sales) {
    List<String> keys = new ArrayList<>();
    List<Long> programs = new ArrayList<>();
    List<ClickId> clicks = new ArrayList<>();
    for (CloudEvent sale : sales) {
      String raw = sale.data().getString("click_id");
      Optional<ClickId> click = raw == null ? Optional.empty() : clickIds.verify(raw);
      if (click.isPresent()) {
        keys.add(botKey(sale.programId(), raw));
        programs.add(sale.programId());
        clicks.add(click.get());
      }
    }
    return SetWrites.botClicks(tx, programs, clicks).map(bots -> {
      for (int i = 0; i < bots.length; i++) {
        boolean bot = bots[i];
        batch.lookup(keys.get(i), () -> Future.succeededFuture(bot));
      }
      return null;
    });
  }

  private static String botKey(long programId, String raw) {
    return "bot:" + programId + ":" + raw;
  }

  /** Tries {@code next}; keeps the earlier rejection's reason when {@code next} also fails. */
  private static Future<Outcome> firstCredit(Supplier<Future<Outcome>> next, Outcome earlier) {
    return next.get().map(o -> {
      if (o == null) {
        return earlier;
      }
      return o.credit() != null || earlier == null ? o : earlier;
    });
  }

  private Future<Outcome> byClick(SqlConnection tx, Batch batch, long programId, String raw, Instant at) {
    Optional<ClickId> click = clickIds.verify(raw);
    if (click.isEmpty()) {
      return Future.succeededFuture(Outcome.rejected(Attribution.FORGED_CLICK_ID));
    }
    long linkId = click.get().linkId();
    Future<Owner> owner = batch.lookup("link:" + programId + ":" + linkId, () -> store.link(tx, programId, linkId));
    return owner.compose(link -> {
      if (link == null) {
        return Future.succeededFuture(Outcome.rejected(Attribution.UNKNOWN_LINK));
      }
      return withTerms(tx, batch, programId, link.campaignId(), link.affiliateId(), linkId, click.get())
          .map(o -> {
            if (o.credit() == null) {
              return o;
            }
            if (!click.get().creditableAt(at, o.credit().terms().rule().cookieWindowDays())) {
              return Outcome.rejected(Attribution.EXPIRED_CLICK);
            }
            return link.active() ? o : Outcome.rejected(Attribution.LINK_DISABLED);
          })
          .compose(o -> o.credit() == null || o.credit().terms().creditBotClicks() ? Future.succeededFuture(o)
              : batch.<Boolean>lookup(botKey(programId, raw), () -> store.botClick(tx, programId, click.get()))
                  .map(bot -> bot ? Outcome.rejected(Attribution.BOT_CLICK) : o));
    });
  }

  private Future<Outcome> byCoupon(SqlConnection tx, Batch batch, long programId, String code) {
    Future<Owner> found = batch.lookup("coupon:" + programId + ":" + code, () -> store.coupon(tx, programId, code));
    return found.compose(owner -> {
      if (owner == null) {
        return Future.succeededFuture(Outcome.rejected(Attribution.UNKNOWN_COUPON));
      }
      if (!owner.active()) {
        return Future.succeededFuture(Outcome.rejected(Attribution.COUPON_DISABLED));
      }
      return withTerms(tx, batch, programId, owner.campaignId(), owner.affiliateId(), null, null);
    });
  }

  private Future<Outcome> withTerms(SqlConnection tx, Batch batch, long programId, long campaignId, long affiliateId,
      Long linkId, ClickId click) {
    return batch.<Terms>lookup("terms:" + programId + ":" + campaignId + ":" + affiliateId,
        () -> store.terms(tx, programId, campaignId, affiliateId)).map(terms -> {
      if (terms == null) {
        return Outcome.rejected(Attribution.UNKNOWN_LINK);
      }
      return terms.reject().map(Outcome::rejected)
          .orElseGet(() -> new Outcome(new Credit(campaignId, affiliateId, linkId, click, terms), null));
    });
  }
}
