package io.tracklane.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Proves the broker answers now: a describeCluster request bounded by {@link #TIMEOUT_MS}, run on
 * a worker thread, its answer reused for a second (probes and the periodic evaluation share it). A
 * producer's cached metadata would say "up" with the broker frozen or dead.
 */
public final class KafkaProbe {
  static final int TIMEOUT_MS = 1000;
  private static final long CACHE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Vertx vertx;
  private final Admin admin;
  private Future<Void> last;
  private long checkedAt;

  public KafkaProbe(Vertx vertx, Admin admin) {
    this.vertx = vertx;
    this.admin = admin;
  }

  /** An admin client whose calls are bounded (the probe's and the lag probe's). */
  public static Admin admin(String bootstrapServers) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("client.id", "tracklane-probe");
    props.put("request.timeout.ms", TIMEOUT_MS);
    props.put("default.api.timeout.ms", TIMEOUT_MS * 2);
    props.put("reconnect.backoff.max.ms", 1000);
    props.put("retry.backoff.max.ms", 500);
    return Admin.create(props);
  }

  public synchronized Future<Void> check() {
    long now = System.nanoTime();
    if (last != null && (!last.isComplete() || now - checkedAt < CACHE_NANOS)) {
      return last;
    }
    checkedAt = now;
    last = vertx.executeBlocking(() -> {
      try {
        admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes()
            .get(TIMEOUT_MS + 200L, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("broker did not answer: " + e.getCause().getMessage());
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("broker did not answer within " + TIMEOUT_MS + " ms");
      }
      return null;
    }, false);
    return last;
  }

  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      admin.close(Duration.ofSeconds(1));
      return null;
    }, false);
  }
}
