package io.tracklane.edge;

import io.tracklane.domain.ClickId;
import io.tracklane.domain.EventIds;
import io.tracklane.domain.Money;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.http.HttpError;
import io.tracklane.store.LinkRepository.LinkTarget;
import io.tracklane.store.ProgramRepository.ProgramInfo;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sale reported by the shopper's browser (the /c.gif pixel or tracklane.js through /c.json). The
 * click is the explicit signed {@code click_id} when given, else the {@code tl_click} cookie. Always
 * trust "client". One that cannot be attributed is published as a refused fact, which the ledger keeps
 * in rejected_events with the reason; only without any program to file it under is it just counted.
 */
final class ClientConversions {
  private static final Logger LOG = LoggerFactory.getLogger(ClientConversions.class);
  static final String NO_CLICK_ID = "no_click_id";
  static final String FORGED_CLICK_ID = "forged_click_id";
  static final String UNKNOWN_LINK = "unknown_link";
  static final String NOT_ACCEPTED = "client_conversions_not_accepted";
  static final String ORIGIN_NOT_ALLOWED = "origin_not_allowed";

  /** What became of a report: accepted, duplicate, refused (with the reason) or ignored (no program). */
  record Result(String status, String reason, String eventId) {
    JsonObject toJson() {
      JsonObject json = new JsonObject().put("status", status);
      if (reason != null) {
        json.put("reason", reason);
      }
      return eventId == null ? json : json.put("event_id", eventId);
    }
  }

  private final EdgeContext edge;
  private final PostbackHandler postbacks;

  ClientConversions(EdgeContext edge, PostbackHandler postbacks) {
    this.edge = edge;
    this.postbacks = postbacks;
  }

  /**
   * Records the report.
   *
   * @param fields the decoded fields (transaction_id, amount, currency, customer_id, click_id, program_id)
   * @param cookie the tl_click cookie's value, null if none
   * @param origin the browser's Origin header, null if none (an image request sends none)
   */
  Future<Result> report(Map<String, String> fields, String cookie, String origin) {
    String explicit = RedirectHandler.clip(fields.remove("click_id"), 64);
    String programParam = fields.remove("program_id");
    fields.remove("token");
    fields.remove("event");
    String raw = explicit == null || explicit.isEmpty() ? cookie : explicit;
    Optional<ClickId> click = edge.clickIds().verify(raw);
    // The shape is checked first: a malformed report is a 400 whatever its click.
    fields.put("click_id", click.map(ClickId::value).orElse("none"));
    PostbackRequest pb = PostbackRequest.fromFields(fields);
    Long programId = programId(programParam);
    if (click.isEmpty()) {
      return refuse(programId, pb, raw, raw == null || raw.isEmpty() ? NO_CLICK_ID : FORGED_CLICK_ID);
    }
    return edge.lookups().linksById().get(click.get().linkId()).compose(link -> {
      if (link == null) {
        return refuse(programId, pb, raw, UNKNOWN_LINK);
      }
      if (origin != null && !allowedOrigin(link, origin)) {
        return refuse(link.programId(), pb, raw, ORIGIN_NOT_ALLOWED);
      }
      if (!link.acceptClientConversions()) {
        return refuse(link.programId(), pb, raw, NOT_ACCEPTED);
      }
      return edge.lookups().programsById().get(link.programId())
          .compose(program -> postbacks.record(program, pb, "client"))
          .map(outcome -> new Result(outcome.status(), null, outcome.eventId()));
    });
  }

  private static Long programId(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (!value.matches("[1-9][0-9]{0,17}")) {
      throw HttpError.badRequest("program_id must be a positive whole number");
    }
    return Long.parseLong(value);
  }

  /**
   * A refused report becomes a fact of its program, with its own random id (a later credited
   * report or server postback of the same transaction is not a duplicate of it) and the reason.
   */
  private Future<Result> refuse(Long programId, PostbackRequest pb, String raw, String reason) {
    if (programId == null) {
      edge.metrics().clientConversionsIgnored.increment();
      return Future.succeededFuture(new Result("ignored", reason, null));
    }
    return edge.lookups().programsById().get(programId).compose(program -> {
      if (program == null) {
        edge.metrics().clientConversionsIgnored.increment();
        return Future.succeededFuture(new Result("ignored", reason, null));
      }
      return publishRefused(program, pb, raw, reason);
    });
  }

  private Future<Result> publishRefused(ProgramInfo program, PostbackRequest pb, String raw, String reason) {
    Long minor = pb.amount() != null && pb.currency() != null ? Money.parse(pb.amount(), pb.currency()).minor()
        : null;
    JsonObject data = new JsonObject()
        .put("event", pb.event())
        .put("transaction_id", pb.transactionId())
        .put("click_id", raw == null || raw.isEmpty() ? null : raw)
        .put("coupon", null)
        .put("customer_id", pb.customerId())
        .put("customer_email", null)
        .put("amount", pb.amount())
        .put("amount_minor", minor)
        .put("currency", pb.currency())
        .put("trust", "client")
        .put("refused", reason);
    String id = EventIds.postbackRepeat();
    CloudEvent event = new CloudEvent(id, EventTypes.POSTBACK_RECEIVED, program.id(), edge.clock().instant(), data);
    return edge.facts().add(event).map(v -> {
      edge.metrics().clientConversionsRefused.increment();
      return new Result("refused", reason, id);
    }).recover(e -> {
      LOG.warn("refused client conversion not recorded: {}", e.toString());
      return Future.failedFuture(HttpError.unavailable("could not record the conversion durably, retry"));
    });
  }

  /**
   * Whether a browser on {@code origin} may report the link's conversions: the campaign's
   * client_origins, else the landing page's origin and https on each allowed domain.
   */
  static boolean allowedOrigin(LinkTarget link, String origin) {
    return origins(link).contains(origin.toLowerCase(Locale.ROOT));
  }

  static Set<String> origins(LinkTarget link) {
    Set<String> origins = new LinkedHashSet<>();
    if (link.clientOrigins() != null && !link.clientOrigins().isEmpty()) {
      origins.addAll(link.clientOrigins());
      return origins;
    }
    try {
      URI landing = URI.create(link.landingPageUrl().replace("{", "%7B").replace("}", "%7D"));
      if (landing.getScheme() != null && landing.getHost() != null) {
        origins.add((landing.getScheme() + "://" + landing.getHost()
            + (landing.getPort() < 0 ? "" : ":" + landing.getPort())).toLowerCase(Locale.ROOT));
      }
    } catch (IllegalArgumentException e) {
      // A stored landing page is checked when saved; an odd one allows nothing more.
    }
    for (String domain : link.allowedDomains()) {
      origins.add("https://" + domain);
    }
    return origins;
  }
}
