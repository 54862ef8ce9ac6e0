package io.tracklane.edge;

import io.tracklane.domain.ClickId;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** GET /i/{code} (impression) and GET /c.gif (client-side conversion by the click cookie). */
final class PixelHandler {
  /** The smallest transparent 1x1 GIF that every client renders: 43 bytes. */
  static final Buffer GIF = Buffer.buffer(Base64.getDecoder()
      .decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="));

  private final EdgeContext edge;
  private final PostbackHandler postbacks;

  PixelHandler(EdgeContext edge, PostbackHandler postbacks) {
    this.edge = edge;
    this.postbacks = postbacks;
  }

  void impression(RoutingContext ctx) {
    edge.lookups().linkByCode(ctx.pathParam("code")).onSuccess(link -> {
      gif(ctx);
      if (link != null) {
        Instant now = edge.clock().instant();
        JsonObject data = new JsonObject().put("link_id", link.linkId()).put("campaign_id", link.campaignId())
            .put("affiliate_id", link.affiliateId());
        // Fixed once here and carried with the fact, so every redelivery keeps it; 64 random bits keep
        // two instances from ever issuing the same one.
        String id = "imp_" + link.linkId() + "_" + now.toEpochMilli() + "_"
            + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        if (edge.facts().record(new CloudEvent(id, EventTypes.IMPRESSION_RECORDED, link.programId(), now, data),
            edge.metrics().impressionsLost)) {
          edge.metrics().impressions.increment();
        }
      }
    }).onFailure(ctx::fail);
  }

  /**
   * A sale reported by the shopper's browser: attributed only by our own signed cookie, recorded
   * with trust "client", and only for campaigns that accept it. Otherwise the GIF is still
   * answered (a broken image helps nobody) and a metric counts what was ignored.
   */
  void clientConversion(RoutingContext ctx) {
    Map<String, String> fields = QueryStrings.decode(ctx.request().query(), "query string");
    Cookie cookie = ctx.request().getCookie(EdgeVerticle.CLICK_COOKIE);
    Optional<ClickId> click = edge.clickIds().verify(cookie == null ? null : cookie.getValue());
    fields.remove("token");
    fields.remove("event");
    fields.put("click_id", click.map(ClickId::value).orElse("none"));
    PostbackRequest pb = PostbackRequest.fromFields(fields);
    if (click.isEmpty()) {
      edge.metrics().clientConversionsIgnored.increment();
      gif(ctx);
      return;
    }
    edge.lookups().linksById().get(click.get().linkId()).compose(link -> {
      if (link == null || !link.acceptClientConversions()) {
        edge.metrics().clientConversionsIgnored.increment();
        return Future.succeededFuture();
      }
      return edge.lookups().programsById().get(link.programId())
          .compose(program -> postbacks.record(program, pb, "client")).mapEmpty();
    }).onSuccess(v -> gif(ctx)).onFailure(ctx::fail);
  }

  private static void gif(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "image/gif").putHeader("Cache-Control", "no-store").end(GIF);
  }
}
