package io.tracklane.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/** The handler of each API operation, by the operationId the OpenAPI document gives it. */
public final class Operations {
  private final Map<String, Handler<RoutingContext>> handlers = new HashMap<>();

  /** Registers the handler of {@code operationId}; registering one twice is a programming error. */
  public Operations on(String operationId, Handler<RoutingContext> handler) {
    if (handlers.putIfAbsent(operationId, handler) != null) {
      throw new IllegalStateException("operation registered twice: " + operationId);
    }
    return this;
  }

  Handler<RoutingContext> handler(String operationId) {
    return handlers.get(operationId);
  }

  /** The registered operation ids, for the check that the document and the code agree. */
  public java.util.Set<String> ids() {
    return java.util.Set.copyOf(handlers.keySet());
  }
}
