package io.tracklane.api;

import io.tracklane.firehose.EventTypes;
import io.tracklane.http.HttpError;
import io.tracklane.ledger.Outbox;
import io.tracklane.ledger.Outbox.Event;
import io.tracklane.store.AffiliateRepository;
import io.tracklane.store.ApiKeyRepository;
import io.tracklane.store.ApiKeyRepository.NewKey;
import io.tracklane.store.ApiKeyRepository.Revoked;
import io.tracklane.store.AuditLog;
import io.tracklane.store.AuditLog.Actor;
import io.tracklane.store.Filter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;

/**
 * /api/v1/api_keys (create, list, revoke; admin keys) and /api/v1/affiliate/api-key (an affiliate
 * rotates its own). Secrets are answered once, at creation. Every change writes the audit log and
 * its firehose event (outbox) in its transaction; a revoked key is dropped from every instance's
 * cache once committed.
 */
public final class ApiKeysHandler {
  private final Pool pool;
  private final ApiKeyRepository keys;
  private final AffiliateRepository affiliates;
  private final AuditLog audit;
  private final ApiKeyCache cache;
  private final Clock clock;
  private final Outbox outbox = new Outbox();

  public ApiKeysHandler(Pool pool, AffiliateRepository affiliates, AuditLog audit, ApiKeyCache cache, Clock clock) {
    this.pool = pool;
    this.keys = new ApiKeyRepository(pool);
    this.affiliates = affiliates;
    this.audit = audit;
    this.cache = cache;
    this.clock = clock;
  }

  public void register(Operations ops) {
    ops.on("listApiKeys", this::list);
    ops.on("createApiKey", this::create);
    ops.on("revokeApiKey", this::revoke);
    ops.on("rotateAffiliateApiKey", this::rotate);
  }

  private void list(RoutingContext ctx) {
    PageRequest page = PageRequest.from(ctx);
    Filter filter = Filter.program("k.program_id", AuthHandler.principal(ctx).programId())
        .add("k.affiliate_id = ?", Params.optionalId(ctx, "affiliate_id"))
        .add("k.created_at >= ?", Params.optionalInstant(ctx, "created_after"))
        .add("k.created_at <= ?", Params.optionalInstant(ctx, "created_before"));
    Responses.page(ctx, page, keys.list(filter, page.offset(), page.limit()));
  }

  private void create(RoutingContext ctx) {
    NewKey key = ApiKeyInput.parse(Json.body(ctx, ApiKeyInput.FIELDS), clock.instant());
    Actor actor = Responses.actor(ctx);
    Future<JsonObject> affiliate = key.affiliateId() == null ? Future.succeededFuture(new JsonObject())
        : affiliates.get(actor.programId(), key.affiliateId());
    affiliate.compose(found -> found == null
            ? Future.failedFuture(HttpError.badRequest("affiliate_id must name an affiliate of this program"))
            : pool.withTransaction(tx -> issue(tx, actor, key)))
        .onSuccess(created -> Responses.json(ctx, 201, created))
        .onFailure(ctx::fail);
  }

  /** Revokes a key of the program; revoking it again answers the same key, unchanged. */
  private void revoke(RoutingContext ctx) {
    long id = Params.pathId(ctx, "key_id");
    Actor actor = Responses.actor(ctx);
    pool.withTransaction(tx -> revoke(tx, actor, null, id).compose(revoked -> revoked != null
            ? Future.succeededFuture(revoked)
            : keys.get(tx, actor.programId(), null, id).map(key -> key == null ? null : new Revoked(null, key))))
        .onSuccess(revoked -> {
          if (revoked == null) {
            ctx.fail(HttpError.notFound("API key not found."));
            return;
          }
          if (revoked.hash() != null) {
            cache.revoked(revoked.hash());
          }
          Responses.json(ctx, 200, revoked.key());
        })
        .onFailure(ctx::fail);
  }

  /** The calling affiliate key is revoked and its successor issued, in one transaction. */
  private void rotate(RoutingContext ctx) {
    Principal principal = AuthHandler.principal(ctx);
    Actor actor = Responses.actor(ctx);
    long affiliateId = principal.affiliateId();
    pool.withTransaction(tx -> revoke(tx, actor, affiliateId, principal.keyId()).compose(old -> old == null
            ? Future.failedFuture(HttpError.unauthorized("missing or invalid API key"))
            : issue(tx, actor, ApiKeyInput.successor(old.key(), affiliateId))
                .map(successor -> new Rotation(old.hash(), successor))))
        .onSuccess(rotation -> {
          cache.revoked(rotation.revokedHash());
          Responses.json(ctx, 201, rotation.successor());
        })
        .onFailure(ctx::fail);
  }

  private record Rotation(String revokedHash, JsonObject successor) {
  }

  /** The new key as listed, plus its secret under "key" (the only time it is shown). */
  private Future<JsonObject> issue(SqlConnection tx, Actor actor, NewKey key) {
    return keys.create(tx, actor.programId(), key).compose(issued ->
        keys.get(tx, actor.programId(), null, issued.id()).compose(created ->
            audit.record(tx, actor, "api_key.created", "api_key", issued.id(), null, created)
                .compose(v -> outbox.emit(tx, event(actor, EventTypes.API_KEY_CREATED, created, "expires_at",
                    "created_at")))
                .map(v -> created.copy().put("key", issued.secret()))));
  }

  private Future<Revoked> revoke(SqlConnection tx, Actor actor, Long affiliateId, long id) {
    return keys.revoke(tx, actor.programId(), affiliateId, id).compose(revoked -> revoked == null
        ? Future.succeededFuture(null)
        : audit.record(tx, actor, "api_key.revoked", "api_key", id, revoked.key().copy().putNull("revoked_at"),
                revoked.key())
            .compose(v -> outbox.emit(tx, event(actor, EventTypes.API_KEY_REVOKED, revoked.key(), "revoked_at")))
            .map(revoked));
  }

  /** The firehose event of a key change: who the key is, never its secret, and the {@code extra} fields. */
  private Event event(Actor actor, String type, JsonObject key, String... extra) {
    JsonObject data = new JsonObject().put("key_id", key.getString("id")).put("prefix", key.getString("prefix"))
        .put("label", key.getString("label")).put("role", key.getString("role"))
        .put("affiliate_id", key.getString("affiliate_id"));
    for (String field : extra) {
      data.put(field, key.getValue(field));
    }
    return new Event(actor.programId(), clock.instant(), type, key.getString("id"), data);
  }
}
