import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * An open-loop load generator (wrk2 is not packaged by Debian): sends GETs at a fixed rate and
 * measures each latency from when the request was due, not when it was sent, so a stalled server
 * is not hidden by a stalled client (coordinated omission). Two event loops share the rate. The
 * first WARMUP seconds (the client's own JIT) are sent but not measured. It also reports its own
 * lag: how late after its due time each request was actually handed to the client (gen_lag_*). A
 * generator that falls behind itself would understate latency; a small lag shows it kept up. Run
 * from the repository root:
 * java -cp target/tracklane.jar load-tests/FixedRate.java URL RATE SECONDS CONNECTIONS WARMUP
 */
public final class FixedRate extends AbstractVerticle {
  private static final String AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
  private static final int LOOPS = 2;

  private final URI uri;
  private final int rate;
  private final int total;
  private final int skipped;
  private final int connections;
  private final long[] latencies;
  private final long[] sendLags;
  private int sent;
  private int done;
  private int errors;
  private Promise<Void> finished;

  FixedRate(URI uri, int rate, int seconds, int connections, int warmup) {
    this.uri = uri;
    this.rate = rate;
    this.skipped = rate * warmup;
    this.total = rate * (warmup + seconds);
    this.connections = connections;
    this.latencies = new long[total];
    this.sendLags = new long[total];
  }

  @Override
  public void start() {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost())
        .setDefaultPort(uri.getPort()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections));
    String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    long start = System.nanoTime() + 200_000_000L;
    vertx.setPeriodic(1, timer -> {
      long due = Math.min(total, Math.max(0, System.nanoTime() - start) * rate / 1_000_000_000L);
      while (sent < due) {
        int i = sent++;
        long intended = start + i * 1_000_000_000L / rate;
        sendLags[i] = System.nanoTime() - intended;
        client.request(HttpMethod.GET, path).compose(req -> req.putHeader("User-Agent", AGENT).send())
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

  public static void main(String[] args) {
    URI uri = URI.create(args[0]);
    int rate = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    int connections = Integer.parseInt(args[3]);
    int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    Vertx vertx = Vertx.vertx();
    List<FixedRate> generators = new ArrayList<>();
    List<io.vertx.core.Future<Void>> all = new ArrayList<>();
    long began = System.nanoTime() + warmup * 1_000_000_000L;
    for (int i = 0; i < LOOPS; i++) {
      FixedRate g = new FixedRate(uri, rate / LOOPS, seconds, Math.max(1, connections / LOOPS), warmup);
      g.finished = Promise.promise();
      generators.add(g);
      all.add(g.finished.future());
      vertx.deployVerticle(g);
    }
    io.vertx.core.Future.all(all).onComplete(ar -> {
      double elapsed = (System.nanoTime() - began) / 1e9 - 0.2;
      long[] sorted = generators.stream()
          .flatMapToLong(g -> LongStream.of(g.latencies).skip(g.skipped)).sorted().toArray();
      int errors = generators.stream().mapToInt(g -> g.errors).sum();
      long[] lags = generators.stream()
          .flatMapToLong(g -> LongStream.of(g.sendLags).skip(g.skipped)).sorted().toArray();
      System.out.printf("FIXED rate=%d achieved=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d gen_lag_p99_ms=%.2f"
          + " gen_lag_max_ms=%.2f%n", rate, sorted.length / elapsed, sorted[sorted.length / 2] / 1e6,
          sorted[(int) (sorted.length * 0.99)] / 1e6, errors, lags[(int) (lags.length * 0.99)] / 1e6,
          lags[lags.length - 1] / 1e6);
      vertx.close();
    });
  }
}
