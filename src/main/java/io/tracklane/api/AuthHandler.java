package io.tracklane.api;

import io.tracklane.api.RateLimiter.Quota;
import io.tracklane.domain.Secrets;
import io.tracklane.http.ClientAddress;
import io.tracklane.http.HttpError;
import io.tracklane.store.ApiKeyRepository.ActiveKey;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Authenticates a request to the API, in this order: the client address must be under the
 * failed-authentication limit (else 429, before any key lookup); a key, sent as header X-Api-Key or
 * as HTTP Basic username with an empty password, must be known, unrevoked, unexpired and used from
 * its IP allowlist (else 401 or 403, counted as a failed authentication of the address); the key
 * must be under its rate limit (else 429). Every answer after that carries the X-RateLimit-*
 * headers. A request without a key goes on anonymous. What the caller may do is decided afterwards,
 * on the route that matched, from {@link AccessTable}.
 */
public final class AuthHandler implements Handler<RoutingContext> {
  private static final String INVALID = "missing or invalid API key";
  private static final String CLIENT_ADDRESS = "tracklane.client_address";

  private final ApiAccess access;

  public AuthHandler(ApiAccess access) {
    this.access = access;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String address = ClientAddress.of(ctx.request(), access.trustedProxies());
    ctx.put(CLIENT_ADDRESS, address);
    access.limiter().blockedSeconds(address).onSuccess(wait -> {
      if (wait > 0) {
        ctx.response().putHeader("Retry-After", Long.toString(wait));
        ctx.fail(HttpError.tooManyRequests("too many failed authentications from this address, retry later"));
      } else {
        authenticate(ctx, address);
      }
    });
  }

  private void authenticate(RoutingContext ctx, String address) {
    String key = presentedKey(ctx);
    if (key == null) {
      proceed(ctx, null);
      return;
    }
    boolean wellFormed = key.startsWith("sk_") || key.startsWith("ak_");
    Future<ActiveKey> lookup = wellFormed ? access.keys().find(Secrets.hash(key)) : Future.succeededFuture();
    lookup.onSuccess(found -> {
      HttpError refused = refusal(found, address);
      if (refused != null) {
        access.limiter().countFailure(address).onComplete(counted -> ctx.fail(refused));
      } else {
        access.limiter().countRequest(found.keyId(), found.rateLimit()).onSuccess(quota -> admit(ctx, found, quota));
      }
    }).onFailure(ctx::fail);
  }

  private HttpError refusal(ActiveKey key, String address) {
    if (key == null) {
      return HttpError.unauthorized(INVALID);
    }
    if (key.expiresAt() != null && !key.expiresAt().isAfter(access.clock().instant())) {
      return HttpError.unauthorized("API key expired");
    }
    if (!key.ipAllowlist().isEmpty() && !key.ipAllowlist().contains(address)) {
      return HttpError.forbidden("this key is not allowed from " + address);
    }
    return null;
  }

  /** @param quota null when the limiter could not count (Redis down): the request passes without headers */
  private void admit(RoutingContext ctx, ActiveKey key, Quota quota) {
    if (quota != null) {
      ctx.response().putHeader("X-RateLimit-Limit", Integer.toString(quota.limit()))
          .putHeader("X-RateLimit-Remaining", Long.toString(quota.remaining()))
          .putHeader("X-RateLimit-Reset", Long.toString(quota.resetSeconds()));
      if (quota.exceeded()) {
        ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, quota.resetSeconds())));
        ctx.fail(HttpError.tooManyRequests("rate limit exceeded: " + quota.limit() + " requests per window"));
        return;
      }
    }
    access.usage().record(key.programId(), key.keyId());
    proceed(ctx, new Principal(key.programId(), key.keyId(), key.role(), key.affiliateId()));
  }

  /** @param principal null for a request without a key: only public operations let it through */
  private void proceed(RoutingContext ctx, Principal principal) {
    if (principal != null) {
      ctx.put(Principal.CONTEXT_KEY, principal);
    }
    ctx.next();
  }

  private static String presentedKey(RoutingContext ctx) {
    String header = ctx.request().getHeader("X-Api-Key");
    if (header != null) {
      return header.trim();
    }
    String auth = ctx.request().getHeader("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon >= 0 && colon < decoded.length() - 1) {
          // The password must be empty: a password is no second factor here, and accepting one
          // would let a client believe it protects something (or send the key in the wrong slot).
          return "";
        }
        return colon < 0 ? decoded : decoded.substring(0, colon);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return null;
  }

  public static Principal principal(RoutingContext ctx) {
    return ctx.get(Principal.CONTEXT_KEY);
  }

  /** The client's address by the trusted-proxy rule (see {@link ClientAddress}), for audit entries. */
  public static String clientAddress(RoutingContext ctx) {
    return ctx.get(CLIENT_ADDRESS);
  }
}
