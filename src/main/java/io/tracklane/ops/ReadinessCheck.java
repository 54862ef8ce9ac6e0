package io.tracklane.ops;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * One dependency's answer to "can this process serve now?". A required check that fails (or takes
 * over two seconds) makes /health/ready answer 503; an optional one is reported in the body only:
 * the role works without it. Register checks with {@link Readiness#add(ReadinessCheck)}.
 */
public interface ReadinessCheck {

  String name();

  /** Succeeds when the dependency answers now; keep it cheap or cached (it runs every probe). */
  Future<Void> check();

  /** Whether the role cannot serve without it; false: reported, never failing readiness. */
  default boolean required() {
    return true;
  }

  /** A check the role cannot serve without. */
  static ReadinessCheck required(String name, Supplier<Future<Void>> probe) {
    return of(name, probe, true);
  }

  /** A dependency the role can do without: reported in the body, never failing readiness. */
  static ReadinessCheck optional(String name, Supplier<Future<Void>> probe) {
    return of(name, probe, false);
  }

  private static ReadinessCheck of(String name, Supplier<Future<Void>> probe, boolean required) {
    return new ReadinessCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Future<Void> check() {
        try {
          return probe.get();
        } catch (RuntimeException e) {
          return Future.failedFuture(e);
        }
      }

      @Override
      public boolean required() {
        return required;
      }
    };
  }
}
