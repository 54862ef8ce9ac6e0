package io.tracklane.domain;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * When a failed partner postback is tried again: exponential backoff from {@code base}, doubling
 * per attempt up to {@code max}, with "equal jitter" (half the delay fixed, half random) so that
 * endpoints that failed together do not retry together.
 */
public record RetrySchedule(Duration base, Duration max) {

  /** The delay after the {@code failedAttempts}-th failure (1 for the first); {@code random} in [0, 1). */
  public Duration delay(int failedAttempts, DoubleSupplier random) {
    int exponent = Math.min(Math.max(failedAttempts - 1, 0), 40);
    long ceiling = max.toMillis();
    long full = base.toMillis() >= (ceiling >> Math.min(exponent, 62)) ? ceiling
        : Math.min(ceiling, base.toMillis() << exponent);
    long half = full / 2;
    return Duration.ofMillis(half + (long) (random.getAsDouble() * (full - half + 1)));
  }
}
