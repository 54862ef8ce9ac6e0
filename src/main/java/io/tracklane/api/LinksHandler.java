package io.tracklane.api;

import io.tracklane.domain.Destinations;
import io.tracklane.domain.LinkCodes;
import io.tracklane.http.HttpError;
import io.tracklane.store.AffiliateRepository;
import io.tracklane.store.AuditLog;
import io.tracklane.store.CampaignRepository;
import io.tracklane.store.Filter;
import io.tracklane.store.LinkRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.security.SecureRandom;
import java.util.Set;

/** /api/v1/affiliate_links: list, get, create, update. */
public final class LinksHandler {
  private static final Set<String> CREATE_FIELDS = Set.of("campaign_id", "affiliate_id", "code", "destination_url",
      "state");
  private static final Set<String> UPDATE_FIELDS = Set.of("destination_url", "state");
  private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Pool pool;
  private final LinkRepository links;
  private final CampaignRepository campaigns;
  private final AffiliateRepository affiliates;
  private final AuditLog audit;
  private final Runnable onChange;

  public LinksHandler(Pool pool, LinkRepository links, CampaignRepository campaigns, AffiliateRepository affiliates,
      AuditLog audit, Runnable onChange) {
    this.pool = pool;
    this.links = links;
    this.campaigns = campaigns;
    this.affiliates = affiliates;
    this.audit = audit;
    this.onChange = onChange;
  }

  public void register(Operations ops) {
    ops.on("listLinks", this::list);
    ops.on("getLink", this::get);
    ops.on("createLink", this::create);
    ops.on("updateLink", this::update);
  }

  private void list(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Responses.page(ctx, page, links.list(filter(ctx, AuthHandler.principal(ctx)), page.offset(), page.limit()));
  }

  /** The links a key may list with the query's filters; the affiliate API lists through it too. */
  static Filter filter(RoutingContext ctx, Principal principal) {
    return principal.filter("l")
        .add("l.affiliate_id = ?", Params.optionalId(ctx, "affiliate_id"))
        .add("l.campaign_id = ?", Params.optionalId(ctx, "campaign_id"))
        .add("l.state = ?", Params.optionalOneOf(ctx, "state", "active", "disabled"))
        .add("l.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("l.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
  }

  private void get(RoutingContext ctx) {
    Responses.found(ctx, links.get(AuthHandler.principal(ctx).programId(), Params.pathId(ctx, "link_id")), "Link");
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, CREATE_FIELDS);
    Long campaignId = Json.id(body, "campaign_id");
    Long affiliateId = Json.id(body, "affiliate_id");
    if (campaignId == null || affiliateId == null) {
      throw HttpError.badRequest("campaign_id and affiliate_id are required");
    }
    String code = Json.string(body, "code", 64);
    if (code != null && !LinkCodes.isValid(code)) {
      throw HttpError.badRequest("code must be 3 to 64 letters, digits, '-' or '_'");
    }
    String finalCode = code != null ? code : randomCode();
    String destination = Json.url(body, "destination_url");
    String state = orDefault(Json.oneOf(body, "state", "active", "disabled"), "active");
    long programId = AuthHandler.principal(ctx).programId();
    AuditLog.Actor actor = Responses.actor(ctx);
    Future.all(campaigns.get(programId, campaignId), affiliates.isEnrolled(programId, campaignId, affiliateId))
        .compose(both -> {
          JsonObject campaign = both.resultAt(0);
          if (campaign == null) {
            return Future.failedFuture(HttpError.badRequest("campaign_id names no campaign of this program"));
          }
          if (!(Boolean) both.resultAt(1)) {
            return Future.failedFuture(HttpError.badRequest("the affiliate is not enrolled in this campaign"));
          }
          checkDestination(destination, campaign);
          return pool.withTransaction(tx -> links.create(tx, programId, campaignId, affiliateId, finalCode, destination,
                  state)
              .compose(id -> links.get(tx, programId, id))
              .compose(created -> audit.record(tx, actor, "link.created", "link", created.getString("id"), null,
                  created).map(created)));
        })
        .onSuccess(created -> {
          onChange.run();
          Responses.json(ctx, 201, created);
        })
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, UPDATE_FIELDS);
    Json.notNull(body, "state");
    String destination = Json.url(body, "destination_url");
    Json.oneOf(body, "state", "active", "disabled");
    long programId = AuthHandler.principal(ctx).programId();
    long id = Params.pathId(ctx, "link_id");
    AuditLog.Actor actor = Responses.actor(ctx);
    pool.withTransaction(tx -> links.lock(tx, programId, id).compose(before -> {
      if (before == null) {
        return Future.failedFuture(HttpError.notFound("Link not found."));
      }
      JsonObject merged = before.copy().mergeIn(body);
      return campaigns.get(tx, programId, Long.parseLong(before.getString("campaign_id"))).compose(campaign -> {
        if (destination != null) {
          checkDestination(destination, campaign);
        }
        return links.update(tx, programId, id, merged.getString("destination_url"), merged.getString("state"))
            .compose(v -> links.get(tx, programId, id))
            .compose(after -> audit.record(tx, actor, "link.updated", "link", id, before, after).map(after));
      });
    })).onSuccess(updated -> {
      onChange.run();
      Responses.json(ctx, 200, updated);
    }).onFailure(ctx::fail);
  }

  /** A link's own destination must be on the landing page's host or one of the campaign's allowed domains. */
  private static void checkDestination(String destination, JsonObject campaign) {
    if (destination != null && !Destinations.isAllowedDestination(destination, campaign.getString("landing_page_url"),
        campaign.getJsonArray("allowed_domains").stream().map(Object::toString).toList())) {
      throw HttpError.badRequest("destination_url must be on the campaign's landing page host or allowed_domains");
    }
  }

  private static String randomCode() {
    StringBuilder code = new StringBuilder(10);
    for (int i = 0; i < 10; i++) {
      code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return code.toString();
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }
}
