package io.tracklane.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tracklane.http.HttpServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The readiness of one engine: the checks its roles registered (each role registers what it needs),
 * and whether it is draining (shutting down). Each evaluation also sets the gauges
 * {@code tracklane_ready} and {@code tracklane_ready_component{component}} (1 up, 0 down).
 */
public final class Readiness {
  static final long CHECK_TIMEOUT_MS = 2000;

  private final Vertx vertx;
  private final MeterRegistry registry;
  private final List<ReadinessCheck> checks = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> componentUp = new ConcurrentHashMap<>();
  private final AtomicInteger up = new AtomicInteger();

  public Readiness(Vertx vertx, MeterRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
    Gauge.builder("tracklane_ready", up, AtomicInteger::get)
        .description("1 when /health/ready answers 200 (every required check up, not draining)").register(registry);
  }

  /** Adds a check; its name must be unique in this engine. */
  public void add(ReadinessCheck check) {
    AtomicInteger value = new AtomicInteger();
    if (componentUp.putIfAbsent(check.name(), value) != null) {
      throw new IllegalArgumentException("readiness check '" + check.name() + "' is registered twice");
    }
    Gauge.builder("tracklane_ready_component", value, AtomicInteger::get).tag("component", check.name())
        .tag("required", Boolean.toString(check.required()))
        .description("1 when the component's readiness check passed at the last evaluation").register(registry);
    checks.add(check);
  }

  /** From now on not ready, and every HTTP answer of this engine carries Connection: close. */
  public void drain() {
    HttpServers.drain(vertx);
    up.set(0);
  }

  public boolean draining() {
    return HttpServers.draining(vertx);
  }

  /**
   * Runs every check (each bounded by two seconds) and answers the body of /health/ready:
   * {"status": "UP"|"DOWN", "components": {name: "UP"|"DOWN: why"}, "degraded": [optional ones down]}.
   */
  public Future<JsonObject> evaluate() {
    if (draining()) {
      // Answered at once: a balancer must learn it before the servers stop accepting.
      up.set(0);
      return Future.succeededFuture(new JsonObject().put("status", "DOWN").put("draining", true)
          .put("components", new JsonObject()));
    }
    List<ReadinessCheck> current = List.copyOf(checks);
    List<Future<Void>> results = new ArrayList<>();
    for (ReadinessCheck check : current) {
      results.add(check.check().timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS));
    }
    return Future.join(results).transform(done -> {
      JsonObject components = new JsonObject();
      JsonArray degraded = new JsonArray();
      boolean ok = !draining();
      for (int i = 0; i < current.size(); i++) {
        ReadinessCheck check = current.get(i);
        Future<Void> r = results.get(i);
        componentUp.get(check.name()).set(r.succeeded() ? 1 : 0);
        if (r.succeeded()) {
          components.put(check.name(), "UP");
          continue;
        }
        components.put(check.name(), "DOWN: " + describe(r.cause()));
        if (check.required()) {
          ok = false;
        } else {
          degraded.add(check.name());
        }
      }
      up.set(ok ? 1 : 0);
      JsonObject body = new JsonObject().put("status", ok ? "UP" : "DOWN").put("components", components);
      if (!degraded.isEmpty()) {
        body.put("degraded", degraded);
      }
      if (draining()) {
        body.put("draining", true);
      }
      return Future.succeededFuture(body);
    });
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }
}
