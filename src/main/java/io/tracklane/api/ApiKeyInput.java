package io.tracklane.api;

import io.tracklane.domain.IpRanges;
import io.tracklane.http.HttpError;
import io.tracklane.store.ApiKeyRepository.NewKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;

/** The body of POST /api_keys: an owner key names its role, an affiliate key its affiliate, never both. */
final class ApiKeyInput {
  static final Set<String> FIELDS = Set.of("label", "role", "affiliate_id", "ip_allowlist", "expires_at",
      "rate_limit");
  static final int MAX_ALLOWLIST = 100;
  static final int MAX_RATE_LIMIT = 1_000_000;

  private ApiKeyInput() {
  }

  static NewKey parse(JsonObject body, Instant now) {
    Json.notNull(body, "label", "role", "affiliate_id", "ip_allowlist");
    String label = Json.required(body, "label", 100);
    String role = Json.oneOf(body, "role", "admin", "manager", "reporting");
    Long affiliateId = Json.id(body, "affiliate_id");
    if ((role == null) == (affiliateId == null)) {
      throw HttpError.badRequest("give either role (an owner key) or affiliate_id (an affiliate key)");
    }
    Long rateLimit = Json.wholeNumber(body, "rate_limit", 1, MAX_RATE_LIMIT);
    return new NewKey(role, affiliateId, label, allowlist(body), expiresAt(body, now),
        rateLimit == null ? null : rateLimit.intValue());
  }

  /** The same key again, for an affiliate rotating its own: same label, allowlist, expiry and limit. */
  static NewKey successor(JsonObject old, long affiliateId) {
    String expires = old.getString("expires_at");
    return new NewKey(null, affiliateId, old.getString("label"),
        IpRanges.parse("ip_allowlist", strings(old.getJsonArray("ip_allowlist"))),
        expires == null ? null : OffsetDateTime.parse(expires), old.getInteger("rate_limit"));
  }

  private static IpRanges allowlist(JsonObject body) {
    JsonArray entries = Json.strings(body, "ip_allowlist");
    if (entries == null) {
      return IpRanges.NONE;
    }
    if (entries.size() > MAX_ALLOWLIST) {
      throw HttpError.badRequest("ip_allowlist must have at most " + MAX_ALLOWLIST + " entries");
    }
    return IpRanges.parse("ip_allowlist", strings(entries));
  }

  private static OffsetDateTime expiresAt(JsonObject body, Instant now) {
    String raw = Json.string(body, "expires_at", 64);
    if (raw == null) {
      return null;
    }
    OffsetDateTime expires;
    try {
      expires = OffsetDateTime.parse(raw).withOffsetSameInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw HttpError.badRequest("expires_at must be an ISO 8601 date-time like 2027-01-01T00:00:00Z");
    }
    if (!expires.toInstant().isAfter(now)) {
      throw HttpError.badRequest("expires_at must be in the future");
    }
    return expires;
  }

  private static List<String> strings(JsonArray array) {
    return array.stream().map(String.class::cast).toList();
  }
}
