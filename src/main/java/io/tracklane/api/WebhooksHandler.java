package io.tracklane.api;

import io.tracklane.config.AppConfig.WebhooksConfig;
import io.tracklane.domain.SecretBox;
import io.tracklane.domain.WebhookSignatures;
import io.tracklane.http.HttpError;
import io.tracklane.store.AuditLog;
import io.tracklane.store.WebhookRepository;
import io.tracklane.webhooks.Destination;
import io.tracklane.webhooks.PostbackEvents;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Partner postbacks (outbound): the owner's program-wide webhooks at /api/v1/webhooks and an
 * affiliate's own postbacks at /api/v1/affiliate/postbacks, with the same operations. Every query
 * is scoped to the caller's kind (an owner's webhooks are not an affiliate's postbacks, another
 * affiliate's ids answer 404). The URL is resolved and checked at creation and at each change
 * (400 for an address that is not public); a POST endpoint's whsec_ secret is answered once.
 */
public final class WebhooksHandler {
  private static final Set<String> CREATE_FIELDS = Set.of("url", "method", "events", "state");
  private static final Set<String> UPDATE_FIELDS = Set.of("url", "method", "events", "state");

  private final Pool pool;
  private final WebhookRepository webhooks;
  private final AuditLog audit;
  private final WebhooksConfig config;
  private final SecretBox secrets;

  public WebhooksHandler(Pool pool, AuditLog audit, WebhooksConfig config) {
    this.pool = pool;
    this.webhooks = new WebhookRepository(pool);
    this.audit = audit;
    this.config = config;
    this.secrets = new SecretBox(config.secretKey());
  }

  public void register(Operations ops) {
    register(ops, "Webhook", "webhook_id", "listWebhooks", "createWebhook", "getWebhook", "updateWebhook",
        "deleteWebhook", "listWebhookDeliveries", "redeliverWebhookDelivery");
    register(ops, "AffiliatePostback", "postback_id", "listAffiliatePostbacks", "createAffiliatePostback",
        "getAffiliatePostback", "updateAffiliatePostback", "deleteAffiliatePostback",
        "listAffiliatePostbackDeliveries", "redeliverAffiliatePostbackDelivery");
  }

  private void register(Operations ops, String what, String idParam, String list, String create, String get,
      String update, String delete, String deliveries, String redeliver) {
    String label = what.equals("Webhook") ? "Webhook" : "Postback";
    ops.on(list, this::list);
    ops.on(create, this::create);
    ops.on(get, ctx -> {
      Principal p = AuthHandler.principal(ctx);
      Responses.found(ctx, webhooks.get(pool, p.programId(), p.affiliateId(), Params.pathId(ctx, idParam), false),
          label);
    });
    ops.on(update, ctx -> update(ctx, idParam, label));
    ops.on(delete, ctx -> delete(ctx, idParam, label));
    ops.on(deliveries, ctx -> deliveries(ctx, idParam, label));
    ops.on(redeliver, ctx -> redeliver(ctx, idParam, label));
  }

  private void list(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Principal p = AuthHandler.principal(ctx);
    Responses.page(ctx, page, webhooks.list(WebhookRepository.scope(p.programId(), p.affiliateId()), page.offset(),
        page.limit()));
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Json.body(ctx, CREATE_FIELDS);
    String url = Json.required(body, "url", 2048);
    String method = Json.oneOf(body, "method", "GET", "POST");
    List<String> events = events(body, true);
    String state = Json.oneOf(body, "state", "active", "disabled");
    String chosenMethod = method == null ? "POST" : method;
    Principal p = AuthHandler.principal(ctx);
    AuditLog.Actor actor = Responses.actor(ctx);
    String secret = chosenMethod.equals("POST") ? WebhookSignatures.newSecret() : null;
    checked(ctx, url).compose(ok -> pool.withTransaction(tx -> webhooks.create(tx, p.programId(), p.affiliateId(),
            url, chosenMethod, events, null == secret ? null : "pending", state == null ? "active" : state)
        .compose(id -> {
          // The secret is sealed with its row's id as associated data: a copied ciphertext opens nowhere else.
          String sealed = secret == null ? null : secrets.seal(secret, aad(p.programId(), id));
          return tx.preparedQuery("UPDATE webhook_endpoints SET secret_encrypted = $2 WHERE id = $1")
              .execute(io.vertx.sqlclient.Tuple.of(id, sealed))
              .compose(v -> webhooks.get(tx, p.programId(), p.affiliateId(), id, false));
        })
        .compose(created -> audit.record(tx, actor, "webhook.created", "webhook", created.getString("id"), null,
            created).map(created))))
        .onSuccess(created -> {
          JsonObject answer = created.copy();
          if (secret != null) {
            answer.put("secret", secret);
          }
          Responses.json(ctx, 201, answer);
        })
        .onFailure(ctx::fail);
  }

  /** The associated data binding a sealed secret to its endpoint. */
  public static String aad(long programId, long endpointId) {
    return "webhook:" + programId + ":" + endpointId;
  }

  private void update(RoutingContext ctx, String idParam, String label) {
    JsonObject body = Json.body(ctx, UPDATE_FIELDS);
    Json.notNull(body, "url", "events", "state", "method");
    String url = body.containsKey("url") ? Json.required(body, "url", 2048) : null;
    List<String> events = body.containsKey("events") ? events(body, true) : null;
    String state = Json.oneOf(body, "state", "active", "disabled");
    String method = Json.oneOf(body, "method", "GET", "POST");
    long id = Params.pathId(ctx, idParam);
    Principal p = AuthHandler.principal(ctx);
    AuditLog.Actor actor = Responses.actor(ctx);
    Future<Void> urlChecked = url == null ? Future.succeededFuture() : checked(ctx, url);
    urlChecked.compose(ok -> pool.withTransaction(tx -> webhooks.get(tx, p.programId(), p.affiliateId(), id, true)
        .compose(before -> {
          if (before == null) {
            return Future.failedFuture(HttpError.notFound(label + " not found."));
          }
          if (method != null && !method.equals(before.getString("method"))) {
            return Future.failedFuture(HttpError.badRequest(
                "method cannot be changed: create a new " + label.toLowerCase() + " and delete this one"));
          }
          List<String> newEvents = events != null ? events
              : before.getJsonArray("events").stream().map(Object::toString).toList();
          return webhooks.update(tx, p.programId(), id, url == null ? before.getString("url") : url, newEvents,
                  state == null ? before.getString("state") : state)
              .compose(v -> webhooks.get(tx, p.programId(), p.affiliateId(), id, false))
              .compose(after -> audit.record(tx, actor, "webhook.updated", "webhook", id, before, after).map(after));
        })))
        .onSuccess(updated -> Responses.json(ctx, 200, updated))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx, String idParam, String label) {
    long id = Params.pathId(ctx, idParam);
    Principal p = AuthHandler.principal(ctx);
    AuditLog.Actor actor = Responses.actor(ctx);
    pool.withTransaction(tx -> webhooks.get(tx, p.programId(), p.affiliateId(), id, true).compose(before -> {
      if (before == null) {
        return Future.failedFuture(HttpError.notFound(label + " not found."));
      }
      return webhooks.delete(tx, p.programId(), id)
          .compose(v -> audit.record(tx, actor, "webhook.deleted", "webhook", id, before, null)).map(before);
    })).onSuccess(before -> Responses.json(ctx, 200, before)).onFailure(ctx::fail);
  }

  private void deliveries(RoutingContext ctx, String idParam, String label) {
    PageRequest page = PageRequest.from(ctx);
    long id = Params.pathId(ctx, idParam);
    String status = Params.optionalOneOf(ctx, "status", "pending", "delivered", "failed");
    Principal p = AuthHandler.principal(ctx);
    Responses.page(ctx, page, owned(p, id, label).compose(v -> webhooks.deliveries(p.programId(), id, status,
        page.offset(), page.limit())));
  }

  private void redeliver(RoutingContext ctx, String idParam, String label) {
    long id = Params.pathId(ctx, idParam);
    long deliveryId = Params.pathId(ctx, "delivery_id");
    Principal p = AuthHandler.principal(ctx);
    owned(p, id, label)
        .compose(v -> webhooks.redeliver(p.programId(), id, deliveryId, config.retryWindowSeconds()))
        .compose(found -> found ? webhooks.delivery(p.programId(), id, deliveryId)
            : Future.failedFuture(HttpError.notFound("Delivery not found.")))
        .onSuccess(d -> Responses.json(ctx, 202, d))
        .onFailure(ctx::fail);
  }

  private Future<Void> owned(Principal p, long id, String label) {
    return webhooks.get(pool, p.programId(), p.affiliateId(), id, false).compose(w -> w == null
        ? Future.failedFuture(HttpError.notFound(label + " not found.")) : Future.succeededFuture());
  }

  /** 400 unless the URL's host resolves to public addresses only (or is in webhooks.allow_hosts). */
  private Future<Void> checked(RoutingContext ctx, String url) {
    return Destination.resolve(ctx.vertx(), url, config).<Void>mapEmpty().recover(e -> Future.failedFuture(
        e instanceof Destination.Refused ? HttpError.badRequest(e.getMessage()) : e));
  }

  private static List<String> events(JsonObject body, boolean required) {
    JsonArray given = Json.strings(body, "events");
    if (given == null || given.isEmpty()) {
      if (required) {
        throw HttpError.badRequest("events must name at least one of " + String.join(", ", PostbackEvents.NAMES));
      }
      return null;
    }
    Set<String> out = new LinkedHashSet<>();
    for (Object e : given) {
      if (!PostbackEvents.NAMES.contains(e)) {
        throw HttpError.badRequest("events: unknown event '" + e + "' (" + String.join(", ", PostbackEvents.NAMES)
            + ")");
      }
      out.add((String) e);
    }
    return new ArrayList<>(out);
  }
}
