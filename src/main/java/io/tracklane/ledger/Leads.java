package io.tracklane.ledger;

import static io.tracklane.ledger.LedgerStore.utc;

import io.tracklane.domain.Attribution;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.ledger.Attributor.Credit;
import io.tracklane.ledger.Attributor.Outcome;
import io.tracklane.ledger.CustomerStore.Customer;
import io.tracklane.ledger.Outbox.Event;
import io.tracklane.stats.RollupBatch;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A round's leads, at most one per customer, as sales are applied: attributed in memory (the bot
 * flags of their clicks read together), written with one statement, then credited in order; the
 * rejected ones recorded after. A lead whose transaction already came earlier in the round is
 * applied after, on its own, as applying the round one by one would.
 */
final class Leads {
  /**
   * The lead insert for many rows (no transaction twice): a rejected lead is rewritten by a later
   * attempt. The ordinal of each row written, its id and whether it was inserted.
   */
  private static final String INSERT_LEADS = """
      WITH u AS (
        SELECT * FROM unnest($1::int8[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::int8[], $7::int8[],
                             $8::timestamptz[], $9::text[], $10::text[]) WITH ORDINALITY
          AS u(program_id, event_id, transaction_id, customer_id, click_id, affiliate_id, campaign_id, occurred_at,
               status, reject_reason, ord)),
      ins AS (
        INSERT INTO leads (program_id, event_id, transaction_id, customer_id, click_id, affiliate_id, campaign_id,
                           occurred_at, status, reject_reason)
        SELECT program_id, event_id, transaction_id, customer_id, click_id, affiliate_id, campaign_id, occurred_at,
               status, reject_reason
          FROM u ORDER BY ord
        ON CONFLICT (program_id, transaction_id) DO UPDATE
          SET event_id = EXCLUDED.event_id, customer_id = EXCLUDED.customer_id, click_id = EXCLUDED.click_id,
              affiliate_id = EXCLUDED.affiliate_id, campaign_id = EXCLUDED.campaign_id, status = EXCLUDED.status,
              reject_reason = EXCLUDED.reject_reason
          WHERE leads.status = 'rejected'
        RETURNING id, xmax = 0 AS inserted, program_id, transaction_id)
      SELECT u.ord, ins.id, ins.inserted FROM u
        JOIN ins ON ins.program_id = u.program_id AND ins.transaction_id = u.transaction_id""";

  private final Attributor attributor;
  private final Rejections rejections;

  Leads(Attributor attributor, Rejections rejections) {
    this.attributor = attributor;
    this.rejections = rejections;
  }

  /** A lead and how it was attributed. */
  private record Decided(CloudEvent event, String customerKey, Customer customer, Outcome outcome) {
  }

  /** The round's leads; see the class comment. */
  Future<Void> apply(SqlConnection tx, List<CloudEvent> leads, Batch batch) {
    if (leads.isEmpty()) {
      return Future.succeededFuture();
    }
    Set<String> transactions = new HashSet<>();
    List<CloudEvent> firsts = new ArrayList<>();
    List<CloudEvent> later = new ArrayList<>();
    for (CloudEvent lead : leads) {
      (transactions.add(lead.programId() + "|" + lead.data().getString("transaction_id")) ? firsts : later).add(lead);
    }
    List<Future<Decided>> deciding = new ArrayList<>(firsts.size());
    return attributor.readBotFlags(tx, batch, firsts).compose(read -> {
      for (CloudEvent event : firsts) {
        JsonObject d = event.data();
        String key = Attribution.customerKey(d.getString("customer_id"), d.getString("customer_email"));
        Customer customer = batch.customer(event.programId(), key);
        deciding.add(attributor.attribute(tx, batch, event.programId(), d, customer, event.time())
            .map(outcome -> new Decided(event, key, customer, outcome)));
      }
      return Future.join(deciding);
    }).compose(v -> write(tx, deciding.stream().map(Future::result).toList(), batch)).compose(v -> {
      Future<Void> chain = Future.succeededFuture();
      for (CloudEvent event : later) {
        JsonObject d = event.data();
        String key = Attribution.customerKey(d.getString("customer_id"), d.getString("customer_email"));
        chain = chain.compose(x -> one(tx, event, key, batch));
      }
      return chain;
    });
  }

  /** One lead on its own. */
  Future<Void> one(SqlConnection tx, CloudEvent event, String customerKey, Batch batch) {
    Customer customer = batch.customer(event.programId(), customerKey);
    return attributor.attribute(tx, batch, event.programId(), event.data(), customer, event.time())
        .compose(outcome -> write(tx, List.of(new Decided(event, customerKey, customer, outcome)), batch));
  }

  /** Writes the leads with one statement, then credits the new credited ones and records the new rejected ones. */
  private Future<Void> write(SqlConnection tx, List<Decided> leads, Batch batch) {
    Tuple args = Tuple.tuple()
        .addValue(leads.stream().map(l -> l.event().programId()).toArray(Long[]::new))
        .addValue(leads.stream().map(l -> l.event().id()).toArray(String[]::new))
        .addValue(leads.stream().map(l -> l.event().data().getString("transaction_id")).toArray(String[]::new))
        .addValue(leads.stream().map(l -> l.customer() == null ? null : l.customer().id()).toArray(Long[]::new))
        .addValue(leads.stream().map(l -> l.event().data().getString("click_id")).toArray(String[]::new))
        .addValue(leads.stream().map(l -> credit(l) == null ? null : credit(l).affiliateId()).toArray(Long[]::new))
        .addValue(leads.stream().map(l -> credit(l) == null ? null : credit(l).campaignId()).toArray(Long[]::new))
        .addValue(leads.stream().map(l -> utc(l.event().time())).toArray(OffsetDateTime[]::new))
        .addValue(leads.stream().map(l -> credit(l) == null ? "rejected" : "credited").toArray(String[]::new))
        .addValue(leads.stream().map(l -> credit(l) == null ? l.outcome().reason() : null).toArray(String[]::new));
    return tx.preparedQuery(INSERT_LEADS).execute(args).compose(rows -> {
      Long[] ids = new Long[leads.size()];
      boolean[] inserted = new boolean[leads.size()];
      for (Row r : rows) {
        ids[r.getInteger("ord") - 1] = r.getLong("id");
        inserted[r.getInteger("ord") - 1] = r.getBoolean("inserted");
      }
      List<Tuple> resolve = new ArrayList<>();
      List<Future<Void>> rejecting = new ArrayList<>();
      for (int i = 0; i < leads.size(); i++) {
        Decided lead = leads.get(i);
        if (ids[i] == null) {
          continue; // recorded before
        }
        if (credit(lead) == null) {
          rejecting.add(rejections.record(tx, lead.event(), lead.outcome().reason(), batch));
          continue;
        }
        if (!inserted[i]) {
          // A rejected lead now credited: its rejection is resolved, not erased.
          resolve.add(Tuple.of(lead.event().programId(), lead.event().id()));
        }
        credit(lead.event(), lead.customerKey(), credit(lead), ids[i], batch);
      }
      Future<Void> resolved = resolve.isEmpty() ? Future.succeededFuture()
          : tx.preparedQuery(LedgerStore.RESOLVE).executeBatch(resolve).mapEmpty();
      return resolved.compose(v -> Future.join(rejecting)).mapEmpty();
    });
  }

  private static Credit credit(Decided lead) {
    return lead.outcome().credit();
  }

  /** A new credited lead: counted, its reward (if any) a commission, its click marked, its customer bound. */
  private static void credit(CloudEvent event, String customerKey, Credit credit, long leadId, Batch batch) {
    JsonObject d = event.data();
    batch.tally.conversions++;
    RollupBatch.Origin origin = Sales.origin(event, credit);
    batch.rollups.lead(origin);
    JsonObject data = new JsonObject().put("lead_id", Long.toString(leadId))
        .put("transaction_id", d.getString("transaction_id")).put("click_id", d.getString("click_id"))
        .put("affiliate_id", Long.toString(credit.affiliateId()))
        .put("campaign_id", Long.toString(credit.campaignId()));
    credit.terms().rule().leadCommission().ifPresent(amount -> batch.commission(Sales.row(event, credit, "lead",
        "lead:" + leadId, null, leadId, amount, null), d.getString("transaction_id"), event.time(), origin));
    batch.event(new Event(event.programId(), event.time(), EventTypes.LEAD_CREATED, "lead:" + leadId, data));
    Sales.markClick(event, credit, "lead", batch);
    batch.credit(event.programId(), customerKey, credit.affiliateId(), credit.campaignId(), event.time(), false);
  }
}
