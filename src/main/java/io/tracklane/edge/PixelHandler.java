package io.tracklane.edge;

import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/** GET /i/{code} (impression) and GET /c.gif (client-side conversion by click id or cookie). */
final class PixelHandler {
  /** The smallest transparent 1x1 GIF that every client renders: 43 bytes. */
  static final Buffer GIF = Buffer.buffer(Base64.getDecoder()
      .decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="));

  private final EdgeContext edge;
  private final ClientConversions conversions;

  PixelHandler(EdgeContext edge, ClientConversions conversions) {
    this.edge = edge;
    this.conversions = conversions;
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
   * A sale reported by the shopper's browser through an image: attributed by the explicit signed
   * {@code click_id}, else the click cookie (see {@link ClientConversions}). The GIF is answered
   * whatever became of it (a broken image helps nobody); malformed fields are a 400.
   */
  void clientConversion(RoutingContext ctx) {
    Map<String, String> fields = QueryStrings.decode(ctx.request().query(), "query string");
    Cookie cookie = ctx.request().getCookie(EdgeVerticle.CLICK_COOKIE);
    conversions.report(fields, cookie == null ? null : cookie.getValue(), null)
        .onSuccess(result -> gif(ctx)).onFailure(ctx::fail);
  }

  private static void gif(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "image/gif").putHeader("Cache-Control", "no-store").end(GIF);
  }
}
