import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
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
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;

/**
 * An open-loop load generator (wrk2 is not packaged by Debian): sends GETs at a fixed rate and
 * measures each latency from when the request was due, not when it was sent, so a stalled server
 * is not hidden by a stalled client (coordinated omission). Two event loops share the rate, each
 * paced by a thread of its own that sleeps until the next request is due and hands the loop what is
 * due (a 1 ms periodic timer on the loop was itself up to 3 ms late). The first WARMUP seconds (the
 * client's own JIT) are sent but not measured. It reports its own lag: how late after its due time
 * each request was actually handed to the client (gen_lag_*). A generator that falls behind itself
 * would understate latency; a small lag shows it kept up.
 *
 * <p>TARGET is a URL, or {@code @FILE} with one "URL [API-KEY]" per line: requests go round-robin over
 * the lines, each with its key in X-Api-Key (one line per cache key for the stats benchmark). Mode
 * {@code first} sends one request per line, one after another, each timed on its own (the first
 * answers after a FLUSHALL). Run from the repository root:
 *
 * <pre>
 * java -cp target/tracklane.jar load-tests/FixedRate.java TARGET RATE SECONDS CONNECTIONS WARMUP
 * java -cp target/tracklane.jar load-tests/FixedRate.java first @FILE
 * </pre>
 */
public final class FixedRate extends AbstractVerticle {
  private static final String AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
  private static final int LOOPS = 2;
  /** The pacer spins (instead of parking) for the last stretch before a due time. */
  private static final long SPIN_NANOS = 50_000;

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
  private final long[] sendLags;
  private final long start;
  private HttpClient client;
  private int done;
  private int errors;
  private Promise<Void> finished;

  FixedRate(List<Target> targets, int offset, int rate, int seconds, int connections, int warmup, long start) {
    this.targets = targets;
    this.offset = offset;
    this.rate = rate;
    this.skipped = rate * warmup;
    this.total = rate * (warmup + seconds);
    this.connections = connections;
    this.latencies = new long[total];
    this.sendLags = new long[total];
    this.start = start;
  }

  private long due(int i) {
    return start + i * 1_000_000_000L / rate;
  }

  @Override
  public void start() {
    URI first = targets.get(0).uri();
    client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(first.getHost())
        .setDefaultPort(first.getPort()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections));
    Context loop = context;
    Thread pacer = new Thread(() -> pace(loop), "pacer-" + offset);
    pacer.setDaemon(true);
    pacer.start();
  }

  /** Sleeps until requests are due and hands each batch of due ones to the event loop in one task. */
  private void pace(Context loop) {
    int next = 0;
    while (next < total) {
      long wait = due(next) - System.nanoTime();
      if (wait > SPIN_NANOS) {
        LockSupport.parkNanos(wait - SPIN_NANOS);
        continue;
      }
      while (due(next) - System.nanoTime() > 0) {
        Thread.onSpinWait();
      }
      int from = next;
      long now = System.nanoTime();
      while (next < total && due(next) <= now) {
        next++;
      }
      int to = next;
      loop.runOnContext(v -> {
        for (int i = from; i < to; i++) {
          send(i);
        }
      });
    }
  }

  private void send(int i) {
    long intended = due(i);
    sendLags[i] = System.nanoTime() - intended;
    Target t = targets.get((i * LOOPS + offset) % targets.size());
    client.request(HttpMethod.GET, t.path()).compose(req -> {
      req.putHeader("User-Agent", AGENT);
      if (t.key() != null) {
        req.putHeader("X-Api-Key", t.key());
      }
      return req.send();
    }).compose(resp -> resp.body().map(body -> resp.statusCode())).onComplete(ar -> {
      latencies[i] = System.nanoTime() - intended;
      if (ar.failed() || ar.result() >= 400) {
        errors++;
      }
      if (++done == total) {
        finished.complete();
      }
    });
  }

  static List<Target> targets(String arg) throws Exception {
    if (!arg.startsWith("@")) {
      return List.of(new Target(URI.create(arg), null));
    }
    List<Target> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(arg.substring(1)))) {
      String[] parts = line.trim().split("\\s+");
      if (!parts[0].isEmpty()) {
        out.add(new Target(URI.create(parts[0]), parts.length > 1 ? parts[1] : null));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no targets in " + arg);
    }
    return out;
  }

  /** One request per target, one after another, each timed on its own; fails on any answer but 200. */
  static void first(Vertx vertx, List<Target> targets) {
    HttpClient client = vertx.createHttpClient();
    List<Double> ms = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Target t : targets) {
      chain = chain.compose(v -> {
        long began = System.nanoTime();
        return client.request(HttpMethod.GET, t.uri().getPort(), t.uri().getHost(), t.path())
            .compose(req -> (t.key() == null ? req : req.putHeader("X-Api-Key", t.key())).send())
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
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    if ("first".equals(args[0])) {
      first(vertx, targets(args[1]));
      return;
    }
    List<Target> targets = targets(args[0]);
    int rate = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    int connections = Integer.parseInt(args[3]);
    int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    List<FixedRate> generators = new ArrayList<>();
    List<Future<Void>> all = new ArrayList<>();
    long start = System.nanoTime() + 200_000_000L;
    for (int i = 0; i < LOOPS; i++) {
      // The loops' requests interleave: loop i sends at start + (k + i / LOOPS) / (rate / LOOPS).
      long phase = i * 1_000_000_000L / rate;
      FixedRate g = new FixedRate(targets, i, rate / LOOPS, seconds, Math.max(1, connections / LOOPS), warmup,
          start + phase);
      g.finished = Promise.promise();
      generators.add(g);
      all.add(g.finished.future());
      vertx.deployVerticle(g);
    }
    long measuredFrom = start + warmup * 1_000_000_000L;
    Future.all(all).onComplete(ar -> {
      double elapsed = (System.nanoTime() - measuredFrom) / 1e9;
      long[] sorted = generators.stream()
          .flatMapToLong(g -> LongStream.of(g.latencies).skip(g.skipped)).sorted().toArray();
      int errors = generators.stream().mapToInt(g -> g.errors).sum();
      long[] lags = generators.stream()
          .flatMapToLong(g -> LongStream.of(g.sendLags).skip(g.skipped)).sorted().toArray();
      System.out.printf("FIXED rate=%d keys=%d achieved=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d gen_lag_p99_ms=%.2f"
          + " gen_lag_max_ms=%.2f%n", rate, targets.size(), sorted.length / elapsed, sorted[sorted.length / 2] / 1e6,
          sorted[(int) (sorted.length * 0.99)] / 1e6, errors, lags[(int) (lags.length * 0.99)] / 1e6,
          lags[lags.length - 1] / 1e6);
      vertx.close();
    });
  }
}
