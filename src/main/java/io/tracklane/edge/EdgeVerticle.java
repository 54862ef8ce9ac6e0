package io.tracklane.edge;

import io.tracklane.config.AppConfig;
import io.tracklane.domain.ClickId;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.domain.Destinations;
import io.tracklane.domain.EventIds;
import io.tracklane.domain.Money;
import io.tracklane.domain.Secrets;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventPublisher;
import io.tracklane.firehose.EventTypes;
import io.tracklane.http.FailureHandler;
import io.tracklane.http.HttpError;
import io.tracklane.store.LinkRepository.LinkTarget;
import io.tracklane.store.ProgramRepository.ProgramInfo;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The tracking edge: redirects, pixels and postbacks. No database call per request. */
public final class EdgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeVerticle.class);
  public static final String CLICK_COOKIE = "tl_click";
  private static final Buffer GIF = Buffer.buffer(java.util.Base64.getDecoder()
      .decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"));

  private final AppConfig config;
  private final ClickIdCodec clickIds;
  private final EdgeLookups lookups;
  private final EventPublisher publisher;
  private final EdgeMetrics metrics;
  private final Clock clock;
  private HttpServer server;

  public EdgeVerticle(AppConfig config, ClickIdCodec clickIds, EdgeLookups lookups, EventPublisher publisher,
      EdgeMetrics metrics, Clock clock) {
    this.config = config;
    this.clickIds = clickIds;
    this.lookups = lookups;
    this.publisher = publisher;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/r/:code").handler(this::redirect);
    router.get("/i/:code").handler(this::impression);
    router.route("/postback").handler(BodyHandler.create(false).setBodyLimit(config.http().bodyLimitBytes()));
    router.get("/postback").handler(this::postback);
    router.post("/postback").handler(this::postback);
    router.route().failureHandler(new FailureHandler());
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.http().host())
        .setPort(config.http().edgePort()).setCompressionSupported(false));
    return server.requestHandler(router).listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void redirect(RoutingContext ctx) {
    String code = ctx.pathParam("code");
    lookups.linksByCode().get(code).onSuccess(link -> {
      if (link == null) {
        ctx.fail(HttpError.notFound("Link not found."));
        return;
      }
      Instant now = clock.instant();
      ClickId click = clickIds.issue(link.linkId(), now);
      MultiMap q = ctx.queryParams();
      Map<String, String> macros = new HashMap<>();
      macros.put("click_id", click.value());
      macros.put("affiliate_id", Long.toString(link.affiliateId()));
      macros.put("campaign_id", Long.toString(link.campaignId()));
      for (String name : new String[] {"sub1", "sub2", "sub3", "sub4", "sub5", "source"}) {
        macros.put(name, clip(q.get(name)));
      }
      String location;
      if (link.creditable()) {
        String stored = link.destinationUrl() != null ? link.destinationUrl() : link.landingPageUrl();
        location = Destinations.build(stored, macros);
        ctx.response().putHeader("Set-Cookie", CLICK_COOKIE + "=" + click.value() + "; Max-Age="
            + (long) link.cookieWindowDays() * 86400 + "; Path=/; HttpOnly; Secure; SameSite=Lax");
      } else {
        location = link.fallbackUrl() != null ? link.fallbackUrl() : link.landingPageUrl();
      }
      ctx.response().setStatusCode(302).putHeader("Location", location).putHeader("Cache-Control", "no-store").end();
      publishClick(ctx, link, click, macros, now);
    }).onFailure(ctx::fail);
  }

  private void publishClick(RoutingContext ctx, LinkTarget link, ClickId click, Map<String, String> macros,
      Instant now) {
    JsonObject data = new JsonObject()
        .put("click_id", click.value())
        .put("link_id", link.linkId())
        .put("campaign_id", link.campaignId())
        .put("affiliate_id", link.affiliateId())
        .put("creditable", link.creditable())
        .put("ip", ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress())
        .put("user_agent", clip(ctx.request().getHeader("User-Agent")))
        .put("referer", clip(ctx.request().getHeader("Referer")));
    for (String name : new String[] {"sub1", "sub2", "sub3", "sub4", "sub5", "source"}) {
      data.put(name, macros.get(name));
    }
    CloudEvent event = new CloudEvent(EventIds.click(click.value()), EventTypes.CLICK_RECORDED, link.programId(), now,
        data);
    publisher.publish(config.kafka().topicFacts(), event)
        .onSuccess(v -> metrics.clicks.increment())
        .onFailure(e -> {
          metrics.clicksDropped.increment();
          LOG.warn("click {} not queued: {}", click.value(), e.toString());
        });
  }

  private void impression(RoutingContext ctx) {
    lookups.linksByCode().get(ctx.pathParam("code")).onSuccess(link -> {
      ctx.response().putHeader("Content-Type", "image/gif").putHeader("Cache-Control", "no-store").end(GIF);
      if (link != null) {
        Instant now = clock.instant();
        JsonObject data = new JsonObject().put("link_id", link.linkId()).put("campaign_id", link.campaignId())
            .put("affiliate_id", link.affiliateId());
        String id = "imp_" + link.linkId() + "_" + now.toEpochMilli() + "_" + Long.toHexString(System.nanoTime());
        publisher.publish(config.kafka().topicFacts(),
                new CloudEvent(id, EventTypes.IMPRESSION_RECORDED, link.programId(), now, data))
            .onSuccess(v -> metrics.impressions.increment())
            .onFailure(e -> LOG.warn("impression not queued: {}", e.toString()));
      }
    }).onFailure(ctx::fail);
  }

  private void postback(RoutingContext ctx) {
    PostbackRequest pb = PostbackRequest.from(ctx);
    if (pb.token() == null) {
      metrics.postbacksRejected.increment();
      throw HttpError.unauthorized("missing postback token");
    }
    lookups.programsByTokenHash().get(Secrets.hash(pb.token())).compose(program -> {
      if (program == null) {
        metrics.postbacksRejected.increment();
        return Future.failedFuture(HttpError.unauthorized("invalid postback token"));
      }
      return currencyFor(pb, program).compose(currency -> {
        Money amount = pb.amount() == null ? Money.of(0, currency) : Money.parse(pb.amount(), currency);
        Instant now = clock.instant();
        String eventId = EventIds.postback(program.id(), pb.event(), pb.transactionId());
        JsonObject data = new JsonObject()
            .put("event", pb.event())
            .put("transaction_id", pb.transactionId())
            .put("click_id", pb.clickId())
            .put("coupon", pb.coupon())
            .put("customer_id", pb.customerId())
            .put("customer_email", pb.customerEmail())
            .put("amount_minor", amount.minor())
            .put("currency", amount.currency())
            .put("trust", "server");
        CloudEvent event = new CloudEvent(eventId, EventTypes.POSTBACK_RECEIVED, program.id(), now, data);
        return publisher.publish(config.kafka().topicFacts(), event).<String>transform(done -> {
          if (done.failed()) {
            metrics.postbacksUnavailable.increment();
            LOG.warn("postback {} not accepted: {}", eventId, done.cause().toString());
            return Future.failedFuture(HttpError.unavailable("could not record the postback durably, retry"));
          }
          return Future.succeededFuture(eventId);
        });
      });
    }).onSuccess(eventId -> {
      metrics.postbacksAccepted.increment();
      ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("status", "accepted").put("event_id", eventId).encode());
    }).onFailure(e -> {
      if (e instanceof HttpError he && he.status() == 503) {
        ctx.response().putHeader("Retry-After", "2");
      }
      ctx.fail(e);
    });
  }

  /** The postback's currency, else the campaign's (from the click id's link), else the program's. */
  private Future<String> currencyFor(PostbackRequest pb, ProgramInfo program) {
    if (pb.currency() != null) {
      return Future.succeededFuture(pb.currency());
    }
    return Future.succeededFuture(clickIds.verify(pb.clickId()).map(ClickId::linkId).orElse(null))
        .compose(linkId -> linkId == null ? Future.succeededFuture(null) : linkCurrency(program.id(), linkId))
        .map(currency -> currency != null ? currency : program.currency());
  }

  private Future<String> linkCurrency(long programId, long linkId) {
    return lookups.linksById().get(linkId)
        .map(link -> link == null || link.programId() != programId ? null : link.currency());
  }

  private static String clip(String value) {
    if (value == null) {
      return null;
    }
    return value.length() > 512 ? value.substring(0, 512) : value;
  }
}
