package io.tracklane.api;

import io.tracklane.domain.Secrets;
import io.tracklane.http.HttpError;
import io.tracklane.store.ApiKeyRepository;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Authenticates an API key sent as header X-Api-Key or as HTTP Basic username (empty password),
 * before routing. It only says who is calling: what the caller may do is decided on the matched
 * route, from {@link AccessTable}. A request without a key goes on anonymous (only public
 * operations let it through); a key that is presented but not valid is refused here.
 */
public final class AuthHandler implements Handler<RoutingContext> {
  private final ApiKeyRepository keys;

  public AuthHandler(ApiKeyRepository keys) {
    this.keys = keys;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String key = presentedKey(ctx);
    if (key == null) {
      ctx.next();
      return;
    }
    if (!(key.startsWith("sk_") || key.startsWith("ak_"))) {
      ctx.fail(HttpError.unauthorized("missing or invalid API key"));
      return;
    }
    keys.findActive(Secrets.hash(key)).onSuccess(found -> {
      if (found == null) {
        ctx.fail(HttpError.unauthorized("missing or invalid API key"));
        return;
      }
      String ip = ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress();
      if (!found.ipAllowlist().isEmpty() && !found.ipAllowlist().contains(ip)) {
        ctx.fail(HttpError.forbidden("this key is not allowed from " + ip));
        return;
      }
      Principal principal = new Principal(found.programId(), found.keyId(), found.role(), found.affiliateId());
      ctx.put(Principal.CONTEXT_KEY, principal);
      ctx.next();
    }).onFailure(ctx::fail);
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
}
