package io.tracklane.edge;

import io.tracklane.domain.EventIds;
import io.tracklane.domain.Money;
import io.tracklane.domain.PostedAmount;
import io.tracklane.domain.Refunds;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.http.Failures;
import io.tracklane.http.HttpError;
import io.tracklane.store.ProgramRepository.ProgramInfo;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GET|POST /postback: parse, authenticate, then answer 200 only once Kafka has the fact with
 * acks=all; a repeat already known in Redis is answered "duplicate" without reaching Kafka.
 */
final class PostbackHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(PostbackHandler.class);

  /** What became of a postback at the edge. */
  record Outcome(String status, String eventId, String duplicateId) {
    JsonObject toJson() {
      JsonObject json = new JsonObject().put("status", status).put("event_id", eventId);
      return duplicateId == null ? json : json.put("duplicate_id", duplicateId);
    }
  }

  private final EdgeContext edge;
  private final PostbackAuth auth;

  PostbackHandler(EdgeContext edge) {
    this.edge = edge;
    this.auth = new PostbackAuth(edge.lookups());
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    boolean post = "POST".equals(req.method().name());
    Buffer body = post && ctx.body() != null ? ctx.body().buffer() : null;
    PostbackRequest pb;
    try {
      PostbackAuth.requireOnlySignedBytes(req.method().name(), req.getHeader(PostbackAuth.SIGNATURE_HEADER),
          req.query());
      pb = PostbackRequest.parse(req.method().name(), req.getHeader("Content-Type"),
          req.getHeader("X-Postback-Token"), req.query(), body);
    } catch (RuntimeException e) {
      // Every postback counts once, by its final outcome: a malformed one is rejected too.
      edge.metrics().postbacksRejected.increment();
      throw e;
    }
    Buffer signed = post ? body : Buffer.buffer(req.query() == null ? "" : req.query());
    auth.authenticate(pb.token(), req.getHeader(PostbackAuth.PROGRAM_HEADER),
            req.getHeader(PostbackAuth.SIGNATURE_HEADER), signed)
        .onFailure(e -> {
          // Refused (bad token or signature), or the program could not be looked up (a 503): once, by outcome.
          boolean unavailable = e instanceof HttpError h ? h.status() == 503 : Failures.isUnavailable(e);
          (unavailable ? edge.metrics().postbacksUnavailable : edge.metrics().postbacksRejected).increment();
        })
        .compose(program -> record(program, pb, "server"))
        .onSuccess(outcome -> ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
            .end(outcome.toJson().encode()))
        .onFailure(ctx::fail);
  }

  /** Publishes the postback as a fact of {@code program}; {@code trust} is "server" or "client". */
  Future<Outcome> record(ProgramInfo program, PostbackRequest pb, String trust) {
    // The currency is checked here when the postback names it; without one, the ledger reads the
    // amount in the currency of the campaign it credits (which only it knows: coupon, customer binding).
    PostedAmount amount = pb.amount() == null ? new PostedAmount(null, null, pb.currency())
        : pb.currency() != null ? new PostedAmount(Money.parse(pb.amount(), pb.currency()).minor(), pb.amount(),
            pb.currency())
        : new PostedAmount(null, Money.parseMajor(pb.amount()).toPlainString(), null);
    String eventId = "refund".equals(pb.event())
        ? EventIds.refund(program.id(), pb.transactionId(), Refunds.identity(pb.refundId(), amount.major()))
        : EventIds.postback(program.id(), pb.event(), pb.transactionId());
    String mark = PostbackMarks.key(eventId);
    // Redis only saves work here: when it is down, publish and let the idempotent ledger dedupe.
    return edge.marks().exists(mark).otherwise(false).compose(seen -> {
      if (seen) {
        return recordDuplicate(program, pb, eventId, trust).map(duplicateId -> {
          edge.metrics().postbacksDuplicate.increment();
          return new Outcome("duplicate", eventId, duplicateId);
        });
      }
      // Marked only after the broker's ack, so a failed first try is never taken for a duplicate;
      // answered only once marked (bounded, never failing), so a repeat sent after the answer,
      // through any connection, finds the mark.
      return publish(program, pb, eventId, amount, trust)
          .compose(v -> edge.marks().markFirst(mark, edge.config().edge().postbackDedupeTtlSeconds()))
          .map(first -> {
            edge.metrics().postbacksAccepted.increment();
            return new Outcome("accepted", eventId, null);
          });
    });
  }

  /**
   * A repeat is a fact of its own (its own id, pointing at the original), so its final status,
   * "duplicate", is kept by the ledger and readable through the API like any other postback's.
   */
  private Future<String> recordDuplicate(ProgramInfo program, PostbackRequest pb, String originalId, String trust) {
    String duplicateId = EventIds.postbackRepeat();
    JsonObject data = new JsonObject().put("duplicate_of", originalId).put("event", pb.event())
        .put("transaction_id", pb.transactionId()).put("trust", trust);
    CloudEvent event = new CloudEvent(duplicateId, EventTypes.POSTBACK_DUPLICATE, program.id(),
        edge.clock().instant(), data);
    return edge.facts().add(event).map(duplicateId).recover(e -> {
      edge.metrics().postbacksUnavailable.increment();
      LOG.warn("duplicate of postback {} not recorded: {}", originalId, e.toString());
      return Future.failedFuture(HttpError.unavailable("could not record the postback durably, retry"));
    });
  }

  private Future<Void> publish(ProgramInfo program, PostbackRequest pb, String eventId, PostedAmount amount,
      String trust) {
    JsonObject data = new JsonObject()
        .put("event", pb.event())
        .put("transaction_id", pb.transactionId())
        .put("click_id", pb.clickId())
        .put("coupon", pb.coupon())
        .put("customer_id", pb.customerId())
        .put("customer_email", pb.customerEmail())
        .put("amount", amount.text())
        .put("amount_minor", amount.minor())
        .put("currency", amount.currency())
        .put("refund_id", pb.refundId())
        .put("trust", trust);
    Instant now = edge.clock().instant();
    CloudEvent event = new CloudEvent(eventId, EventTypes.POSTBACK_RECEIVED, program.id(), now, data);
    return edge.facts().add(event).recover(e -> {
      edge.metrics().postbacksUnavailable.increment();
      LOG.warn("postback {} not accepted: {}", eventId, e.toString());
      return Future.failedFuture(HttpError.unavailable("could not record the postback durably, retry"));
    });
  }
}
