package io.tracklane.api;

import io.tracklane.edge.ClientAddress;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Works out the caller's address once per request with the edge's visitor-address rule (only a
 * trusted load balancer's X-Forwarded-For is believed), for the audit log and whoever else asks.
 */
public final class RequestAddress implements Handler<RoutingContext> {
  private static final String KEY = "tracklane.client_address";

  private final Set<String> trustedProxies;

  public RequestAddress(Set<String> trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String peer = ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress();
    ctx.put(KEY, ClientAddress.of(peer, ctx.request().getHeader("X-Forwarded-For"), trustedProxies));
    ctx.next();
  }

  /** The caller's address, or null outside a request that passed through this handler. */
  public static String of(RoutingContext ctx) {
    String address = ctx.get(KEY);
    return address == null || address.isEmpty() ? null : address;
  }
}
