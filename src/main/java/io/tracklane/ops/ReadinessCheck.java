package io.tracklane.ops;

import io.vertx.core.Future;

/** One component's answer to "can you serve?"; /health/ready is the AND of all of them. */
public interface ReadinessCheck {

  String name();

  Future<Void> check();
}
