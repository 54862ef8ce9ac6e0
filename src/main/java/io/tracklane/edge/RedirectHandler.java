package io.tracklane.edge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tracklane.domain.ClickId;
import io.tracklane.domain.EventIds;
import io.tracklane.domain.UserAgents;
import io.tracklane.firehose.CloudEvent;
import io.tracklane.firehose.EventTypes;
import io.tracklane.http.ClientAddress;
import io.tracklane.http.HttpError;
import io.tracklane.store.LinkRepository.LinkTarget;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * GET /r/{code}: answers the 302 at once from the cache, then flags the click as bot or repeated
 * (in process) and hands it to the fact sink without waiting for Kafka.
 */
final class RedirectHandler implements Handler<RoutingContext> {
  private static final List<String> SUB_FIELDS = List.of("sub1", "sub2", "sub3", "sub4", "sub5", "source");
  /** Sub ids are short labels; the bound keeps every Location far under the length limit. */
  private static final int MAX_SUB_LENGTH = 255;
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f]");
  private static final List<String> BOT = List.of("bot");
  private static final List<String> DUPLICATE = List.of("duplicate");
  private static final CharSequence LOCATION = HttpHeaders.createOptimized("Location");
  private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("Cache-Control");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence SET_COOKIE = HttpHeaders.createOptimized("Set-Cookie");
  private static final CharSequence USER_AGENT = HttpHeaders.createOptimized("User-Agent");
  private static final CharSequence REFERER = HttpHeaders.createOptimized("Referer");

  /**
   * User agents repeat a lot (a few thousand cover nearly all traffic), and the list match is the
   * costliest step of a redirect in the profile: remember the answers, bounded.
   */
  private static final Cache<String, Boolean> BOTS = Caffeine.newBuilder().maximumSize(20_000).build();

  private final EdgeContext edge;

  RedirectHandler(EdgeContext edge) {
    this.edge = edge;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Map<String, String> query = QueryStrings.decode(ctx.request().query(), "query string");
    edge.lookups().linkByCode(ctx.pathParam("code")).onSuccess(link -> {
      if (link == null) {
        ctx.fail(HttpError.notFound("Link not found."));
        return;
      }
      Instant now = edge.clock().instant();
      ClickId click = edge.clickIds().issue(link.linkId(), now);
      Map<String, String> macros = macros(link, click, query);
      String location = link.creditable() ? link.destinations().credited().fill(macros) : null;
      boolean creditable = location != null;
      if (creditable) {
        ctx.response().putHeader(SET_COOKIE, EdgeVerticle.CLICK_COOKIE + "=" + click.value() + "; Max-Age="
            + (long) link.cookieWindowDays() * 86400 + "; Path=/" + cookieDomain(link, ctx.request().authority())
            + "; HttpOnly; Secure; SameSite=Lax");
      } else {
        location = link.destinations().fallbackUrl() != null ? link.destinations().fallbackUrl()
            : link.destinations().landingPage().fill(macros);
      }
      if (location == null) {
        ctx.fail(HttpError.notFound("Link not found."));
        return;
      }
      ctx.response().setStatusCode(302).putHeader(LOCATION, location).putHeader(CACHE_CONTROL, NO_STORE).end();
      String userAgent = clip(ctx.request().getHeader(USER_AGENT), 512);
      String ip = ClientAddress.of(ctx.request(), edge.config().edge().trustedProxies());
      record(link, click, macros, creditable, ip, userAgent, clip(ctx.request().getHeader(REFERER), 512), now,
          preview(ctx));
    }).onFailure(ctx::fail);
  }

  private static Map<String, String> macros(LinkTarget link, ClickId click, Map<String, String> query) {
    Map<String, String> macros = new HashMap<>();
    macros.put("click_id", click.value());
    macros.put("affiliate_id", Long.toString(link.affiliateId()));
    macros.put("campaign_id", Long.toString(link.campaignId()));
    for (String name : SUB_FIELDS) {
      macros.put(name, clip(query.get(name), MAX_SUB_LENGTH));
    }
    return macros;
  }

  /**
   * A fetch that is not a visit whatever its User-Agent: a HEAD, or a prefetch or preview the browser
   * or app announces (Sec-Purpose, Purpose, X-Purpose, X-Moz).
   */
  static boolean preview(RoutingContext ctx) {
    if (ctx.request().method() == io.vertx.core.http.HttpMethod.HEAD) {
      return true;
    }
    for (String header : List.of("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")) {
      String value = ctx.request().getHeader(header);
      if (value != null) {
        String lower = value.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("prefetch") || lower.contains("preview") || lower.contains("prerender")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * "; Domain=..." when the program names a cookie domain that the edge's host is (or is under),
   * so track.shop.example's cookie is shop.example's, first-party; else nothing (host-only).
   */
  static String cookieDomain(LinkTarget link, io.vertx.core.net.HostAndPort authority) {
    String domain = link.cookieDomain();
    if (domain == null || domain.isEmpty() || authority == null) {
      return "";
    }
    String host = authority.host().toLowerCase(java.util.Locale.ROOT);
    return host.equals(domain) || host.endsWith("." + domain) ? "; Domain=" + domain : "";
  }

  /**
   * Flags the click ("bot" for crawlers and announced previews, "duplicate" for a repeat visitor, decided in process) and
   * hands it to the fact sink: Kafka, or the local journal when Kafka cannot take it. Only a full
   * journal loses it, and then it is counted in tracklane_clicks_lost_total.
   */
  private void record(LinkTarget link, ClickId click, Map<String, String> macros, boolean creditable, String ip,
      String userAgent, String referer, Instant now, boolean preview) {
    boolean bot = preview || userAgent == null || BOTS.get(userAgent, UserAgents::isBot);
    boolean unique = bot || edge.visitors().first(link.linkId(), ip, userAgent);
    List<String> flags = bot ? BOT : unique ? List.of() : DUPLICATE;
    List<String> subs = new ArrayList<>(SUB_FIELDS.size());
    for (String name : SUB_FIELDS) {
      subs.add(macros.get(name));
    }
    CloudEvent event = new CloudEvent(EventIds.click(click.value()), EventTypes.CLICK_RECORDED, link.programId(), now,
        null);
    byte[] value = ClickFact.encode(new ClickFact.Click(event.id(), event.type(), link.programId(), now, click.value(),
        link.linkId(), link.campaignId(), link.affiliateId(), creditable, ip, userAgent, subs, referer, flags, unique),
        SUB_FIELDS);
    if (!edge.facts().record(event, value, edge.metrics().clicksLost)) {
      return;
    }
    if (bot) {
      edge.metrics().botClicks.increment();
    } else {
      edge.metrics().clicks.increment();
      if (!unique) {
        edge.metrics().clicksRepeated.increment();
      }
    }
  }

  /**
   * Bounded and without control characters: these values are stored on the click, and PostgreSQL
   * refuses a NUL in text, which would stall the ledger on a poisoned batch.
   */
  static String clip(String value, int max) {
    if (value == null) {
      return null;
    }
    String clean = value.chars().anyMatch(c -> c < 0x20 || c == 0x7f) ? CONTROL.matcher(value).replaceAll("") : value;
    return clean.length() > max ? clean.substring(0, max) : clean;
  }
}
