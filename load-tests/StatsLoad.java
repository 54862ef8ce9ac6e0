import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Open-loop load on cached stats answers (issue 8): GETs at a fixed rate, round-robin over the
 * targets of a file (one "URL API-KEY" per line: each line is one cache key), latency measured
 * from when each request was due (no coordinated omission). The first WARMUP seconds are sent but
 * not measured. Prints p50/p99 over the measured part, and the first answer of each target timed on
 * its own (mode "first": one request per target, sequentially, e.g. right after a FLUSHALL).
 *
 *   java -cp target/tracklane.jar load-tests/StatsLoad.java rate TARGETS RATE SECONDS CONNECTIONS WARMUP
 *   java -cp target/tracklane.jar load-tests/StatsLoad.java first TARGETS
 */
public final class StatsLoad extends AbstractVerticle {
  private static final int LOOPS = 2;

  record Target(URI uri, String key) {
    String path() {
      return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }
  }

  private final List<Target> targets;
  private final int offset;
  private final int rate;
  private final int total;
  private final int skipped;
  private final int connections;
  private final long[] latencies;
  private int sent;
  private int done;
  private int errors;
  private Promise<Void> finished;

  StatsLoad(List<Target> targets, int offset, int rate, int seconds, int connections, int warmup) {
    this.targets = targets;
    this.offset = offset;
    this.rate = rate;
    this.skipped = rate * warmup;
    this.total = rate * (warmup + seconds);
    this.connections = connections;
    this.latencies = new long[total];
  }

  @Override
  public void start() {
    URI first = targets.get(0).uri();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(first.getHost())
        .setDefaultPort(first.getPort()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections));
    long start = System.nanoTime() + 200_000_000L;
    vertx.setPeriodic(1, timer -> {
      long due = Math.min(total, Math.max(0, System.nanoTime() - start) * rate / 1_000_000_000L);
      while (sent < due) {
        int i = sent++;
        Target t = targets.get((i + offset) % targets.size());
        long intended = start + i * 1_000_000_000L / rate;
        client.request(HttpMethod.GET, t.path()).compose(req -> req.putHeader("X-Api-Key", t.key()).send())
            .compose(resp -> resp.body().map(body -> resp.statusCode()))
            .onComplete(ar -> {
              latencies[i] = System.nanoTime() - intended;
              if (ar.failed() || ar.result() >= 400) {
                errors++;
              }
              if (++done == total) {
                vertx.cancelTimer(timer);
                finished.complete();
              }
            });
      }
    });
  }

  static List<Target> targets(String file) throws Exception {
    List<Target> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(file))) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length == 2) {
        out.add(new Target(URI.create(parts[0]), parts[1]));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no targets in " + file);
    }
    return out;
  }

  public static void main(String[] args) throws Exception {
    List<Target> targets = targets(args[1]);
    Vertx vertx = Vertx.vertx();
    if ("first".equals(args[0])) {
      HttpClient client = vertx.createHttpClient();
      List<Double> ms = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (Target t : targets) {
        chain = chain.compose(v -> {
          long began = System.nanoTime();
          return client.request(HttpMethod.GET, t.uri().getPort(), t.uri().getHost(), t.path())
              .compose(req -> req.putHeader("X-Api-Key", t.key()).send())
              .compose(resp -> resp.body().map(body -> {
                if (resp.statusCode() != 200) {
                  throw new IllegalStateException(t.uri() + " answered " + resp.statusCode() + " " + body);
                }
                ms.add((System.nanoTime() - began) / 1e6);
                return (Void) null;
              }));
        });
      }
      chain.onComplete(ar -> {
        if (ar.failed()) {
          System.out.println("FIRST failed: " + ar.cause().getMessage());
        } else {
          System.out.printf("FIRST targets=%d first_ms=%.2f max_ms=%.2f all_ms=%s%n", ms.size(), ms.get(0),
              ms.stream().mapToDouble(Double::doubleValue).max().orElse(0), ms);
        }
        vertx.close();
      });
      return;
    }
    int rate = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    int connections = Integer.parseInt(args[4]);
    int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 0;
    List<StatsLoad> generators = new ArrayList<>();
    List<Future<Void>> all = new ArrayList<>();
    long began = System.nanoTime() + warmup * 1_000_000_000L;
    for (int i = 0; i < LOOPS; i++) {
      StatsLoad g = new StatsLoad(targets, i, rate / LOOPS, seconds, Math.max(1, connections / LOOPS), warmup);
      g.finished = Promise.promise();
      generators.add(g);
      all.add(g.finished.future());
      vertx.deployVerticle(g);
    }
    Future.all(all).onComplete(ar -> {
      double elapsed = (System.nanoTime() - began) / 1e9 - 0.2;
      long[] sorted = generators.stream()
          .flatMapToLong(g -> LongStream.of(g.latencies).skip(g.skipped)).sorted().toArray();
      int errors = generators.stream().mapToInt(g -> g.errors).sum();
      System.out.printf("FIXED rate=%d keys=%d achieved=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d%n", rate,
          targets.size(), sorted.length / elapsed, sorted[sorted.length / 2] / 1e6,
          sorted[(int) (sorted.length * 0.99)] / 1e6, errors);
      vertx.close();
    });
  }
}
