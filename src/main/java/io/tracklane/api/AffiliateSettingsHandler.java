package io.tracklane.api;

import io.tracklane.domain.PartnerSettings;
import io.tracklane.http.HttpError;
import io.tracklane.store.AffiliateRepository;
import io.tracklane.store.AuditLog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Set;

/**
 * /api/v1/affiliate/settings: the affiliate's own profile, and the two things it may change itself
 * (its payout e-mail and the time zone its figures are cut in). Name, login e-mail and state stay
 * the owner's to change.
 */
public final class AffiliateSettingsHandler {
  static final List<String> FIELDS = List.of("id", "first_name", "last_name", "email", "payout_email", "time_zone",
      "state", "created_at");
  private static final Set<String> CHANGEABLE = Set.of("payout_email", "time_zone");

  private final Pool pool;
  private final AffiliateRepository affiliates;
  private final AuditLog audit;

  public AffiliateSettingsHandler(Pool pool, AffiliateRepository affiliates, AuditLog audit) {
    this.pool = pool;
    this.affiliates = affiliates;
    this.audit = audit;
  }

  public void register(Operations ops) {
    ops.on("getAffiliateSettings", this::get);
    ops.on("updateAffiliateSettings", this::update);
  }

  private void get(RoutingContext ctx) {
    Principal principal = AuthHandler.principal(ctx);
    Responses.found(ctx, affiliates.get(principal.programId(), principal.affiliateId())
        .map(a -> a == null ? null : view(a)), "Affiliate");
  }

  private void update(RoutingContext ctx) {
    JsonObject body = changes(Json.body(ctx, Set.copyOf(FIELDS)));
    Principal principal = AuthHandler.principal(ctx);
    long programId = principal.programId();
    long id = principal.affiliateId();
    AuditLog.Actor actor = Responses.actor(ctx);
    pool.withTransaction(tx -> affiliates.lock(tx, programId, id).compose(before -> {
      if (before == null) {
        return Future.failedFuture(HttpError.notFound("Affiliate not found."));
      }
      JsonObject merged = before.copy().mergeIn(body);
      return affiliates.updateSettings(tx, programId, id, merged.getString("payout_email"),
              merged.getString("time_zone"))
          .compose(v -> affiliates.get(tx, programId, id))
          .compose(after -> audit.record(tx, actor, "affiliate.settings_updated", "affiliate", id, before, after)
              .map(after));
    })).onSuccess(after -> Responses.json(ctx, 200, view(after))).onFailure(ctx::fail);
  }

  /**
   * The body's changes, checked: only payout_email and time_zone, at least one of them; null clears
   * one (payouts then go to the login e-mail, figures are cut in the program's time zone).
   */
  static JsonObject changes(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!CHANGEABLE.contains(field)) {
        throw HttpError.badRequest(field + " cannot be changed through the partner API; only payout_email and "
            + "time_zone can (ask the program owner for the rest)");
      }
    }
    if (body.isEmpty()) {
      throw HttpError.badRequest("the body must set payout_email, time_zone or both");
    }
    String payoutEmail = Json.string(body, "payout_email", PartnerSettings.MAX_EMAIL_LENGTH);
    if (payoutEmail != null && !PartnerSettings.isEmail(payoutEmail)) {
      throw HttpError.badRequest("payout_email must be an e-mail address like name@example.com");
    }
    String zone = Json.string(body, "time_zone", 64);
    if (zone != null && PartnerSettings.timeZone(zone).isEmpty()) {
      throw HttpError.badRequest("time_zone must be a tz database name such as Europe/Berlin or Asia/Kolkata, "
          + "spelt exactly (offsets like +02:00 are not accepted)");
    }
    return body;
  }

  static JsonObject view(JsonObject affiliate) {
    JsonObject out = new JsonObject();
    FIELDS.forEach(f -> out.put(f, affiliate.getValue(f)));
    return out;
  }
}
