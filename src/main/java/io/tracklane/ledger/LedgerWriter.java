package io.tracklane.ledger;

import io.tracklane.domain.Attribution;
import io.tracklane.domain.ClickId;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.domain.EventIds;
import io.tracklane.domain.Money;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.ledger.LedgerStore.ConversionRow;
import io.tracklane.store.LinkRepository;
import io.tracklane.store.LinkRepository.LinkTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Applies a batch of facts in one transaction. Every write is idempotent, so a batch that is
 * redelivered after a crash (offsets are committed only after this commits) changes nothing.
 */
public final class LedgerWriter {
  private final Pool pool;
  private final LedgerStore store = new LedgerStore();
  private final LinkRepository links;
  private final ClickIdCodec clickIds;
  private final LedgerMetrics metrics;

  public LedgerWriter(Pool pool, LinkRepository links, ClickIdCodec clickIds, LedgerMetrics metrics) {
    this.pool = pool;
    this.links = links;
    this.clickIds = clickIds;
    this.metrics = metrics;
  }

  /** Applies the events in order, in one transaction; the Future completes after the commit. */
  public Future<Void> apply(List<CloudEvent> events) {
    return pool.withTransaction(tx -> {
      Future<Void> chain = Future.succeededFuture();
      for (CloudEvent event : events) {
        chain = chain.compose(v -> applyOne(tx, event));
      }
      return chain;
    }).onSuccess(v -> metrics.facts.increment(events.size()));
  }

  private Future<Void> applyOne(SqlConnection tx, CloudEvent event) {
    return switch (event.type()) {
      case EventTypes.CLICK_RECORDED -> store.insertClick(tx, event.programId(), event.data(), event.time());
      case EventTypes.POSTBACK_RECEIVED -> postback(tx, event);
      default -> Future.succeededFuture();
    };
  }

  private Future<Void> postback(SqlConnection tx, CloudEvent event) {
    JsonObject d = event.data();
    String kind = d.getString("event");
    if (!"sale".equals(kind)) {
      return reject(tx, event, "unsupported_event:" + kind);
    }
    String rawClickId = d.getString("click_id");
    Optional<ClickId> click = clickIds.verify(rawClickId);
    Future<LinkTarget> link = click.isEmpty()
        ? Future.succeededFuture(null)
        : links.targetById(tx, event.programId(), click.get().linkId());
    return link.compose(target -> {
      Attribution.LinkTerms terms = target == null ? null
          : new Attribution.LinkTerms(target.creditable(), target.cookieWindowDays());
      Optional<String> reason = Attribution.rejectClick(rawClickId, click, terms, event.time());
      if (reason.isEmpty() && !target.currency().equals(d.getString("currency"))) {
        reason = Optional.of("currency_mismatch");
      }
      return reason.isPresent() ? reject(tx, event, reason.get()) : credit(tx, event, click.get(), target);
    });
  }

  private Future<Void> credit(SqlConnection tx, CloudEvent event, ClickId click, LinkTarget link) {
    JsonObject d = event.data();
    ConversionRow row = conversion(event, link, "credited", null);
    return store.insertConversion(tx, row).compose(conversionId -> {
      if (conversionId == null) {
        return Future.succeededFuture();
      }
      metrics.conversions.increment();
      Money sale = Money.of(d.getLong("amount_minor"), d.getString("currency"));
      return store.rule(tx, event.programId(), link.campaignId()).compose(rule -> {
        Money commission = rule.commissionFor(sale);
        Instant dueAt = event.time().plus(Duration.ofDays(rule.payoutDelayDays()));
        String sourceKey = "sale:" + conversionId;
        return store.insertCommission(tx, event.programId(), sourceKey, "sale", conversionId, link.affiliateId(),
                link.campaignId(), commission.minor(), commission.currency(), dueAt)
            .compose(commissionId -> {
              if (commissionId == null) {
                return Future.succeededFuture();
              }
              metrics.commissions.increment();
              JsonObject data = new JsonObject().put("commission_id", commissionId.toString())
                  .put("conversion_id", conversionId.toString()).put("transaction_id", d.getString("transaction_id"))
                  .put("affiliate_id", Long.toString(link.affiliateId()))
                  .put("campaign_id", Long.toString(link.campaignId()))
                  .put("amount_cents", commission.minor()).put("currency", commission.currency())
                  .put("status", "pending").put("due_at", dueAt.toString());
              return emit(tx, event, EventTypes.COMMISSION_CREATED, sourceKey, data);
            })
            .compose(v -> emit(tx, event, EventTypes.CONVERSION_CREATED, "conversion:" + conversionId,
                conversionData(d, conversionId, link)))
            .compose(v -> store.markClickConverted(tx, click.value(), click.issuedAt(), event.programId()));
      });
    });
  }

  private Future<Void> reject(SqlConnection tx, CloudEvent event, String reason) {
    JsonObject d = event.data();
    String kind = d.getString("event");
    if (!"sale".equals(kind) && !"refund".equals(kind)) {
      return recordRejected(tx, event, reason);
    }
    return store.insertConversion(tx, conversion(event, null, "rejected", reason)).compose(id -> {
      if (id == null) {
        return Future.succeededFuture();
      }
      metrics.rejected.increment();
      return recordRejected(tx, event, reason);
    });
  }

  private Future<Void> recordRejected(SqlConnection tx, CloudEvent event, String reason) {
    JsonObject d = event.data();
    return store.insertRejected(tx, event.programId(), event.id(), event.type(), d.getString("transaction_id"), reason,
            d)
        .compose(v -> emit(tx, event, EventTypes.CONVERSION_REJECTED, "rejected:" + event.id(),
            d.copy().put("reason", reason)));
  }

  private Future<Void> emit(SqlConnection tx, CloudEvent cause, String type, String naturalKey, JsonObject data) {
    String id = EventIds.derived(type, cause.programId(), naturalKey);
    CloudEvent derived = new CloudEvent(id, type, cause.programId(), cause.time(), data);
    return store.outbox(tx, cause.programId(), id, derived.encode());
  }

  private static ConversionRow conversion(CloudEvent event, LinkTarget link, String status, String reason) {
    JsonObject d = event.data();
    return new ConversionRow(event.programId(), event.id(), d.getString("event"), d.getString("transaction_id"),
        d.getLong("amount_minor", 0L), d.getString("currency"), d.getString("click_id"), d.getString("coupon"),
        link == null ? null : link.affiliateId(), link == null ? null : link.campaignId(),
        link == null ? null : link.linkId(), status, reason, event.time());
  }

  private static JsonObject conversionData(JsonObject d, long conversionId, LinkTarget link) {
    return new JsonObject().put("conversion_id", Long.toString(conversionId))
        .put("transaction_id", d.getString("transaction_id")).put("kind", d.getString("event"))
        .put("amount_cents", d.getLong("amount_minor")).put("currency", d.getString("currency"))
        .put("click_id", d.getString("click_id")).put("affiliate_id", Long.toString(link.affiliateId()))
        .put("campaign_id", Long.toString(link.campaignId()));
  }
}
