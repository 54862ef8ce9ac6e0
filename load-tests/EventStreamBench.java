import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server-sent events benchmark (docs/benchmarks.md, issue 11). CLIENTS streams follow
 * GET /api/v1/events?types=tracklane.postback.received.v1 with the owner key; then
 *   1. latency: RATE postbacks/s for SECONDS s, one at a time on a schedule; for each, the time
 *      from its 200 to its event reaching each stream client (p50, p99 over every delivery);
 *   2. throughput: BURST postbacks sent as fast as 32 in flight allow; events delivered per second
 *      to all clients together, from the first delivery to the last.
 * Run from the repository root (load-tests/stream.sh does it all):
 *   java -cp target/tracklane.jar load-tests/EventStreamBench.java API_URL EDGE_URL OWNER_KEY POSTBACK_TOKEN \
 *       [CLIENTS=100] [RATE=100] [SECONDS=10] [BURST=5000]
 */
public final class EventStreamBench {
  private static final Pattern TX = Pattern.compile("\"transaction_id\":\"([^\"]+)\"");
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final Map<String, Long> okAt = new ConcurrentHashMap<>();
  /** Every delivery of the latency phase: transaction id and arrival time (an event may beat its 200 home). */
  private final List<Map.Entry<String, Long>> arrivals = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong firstDelivery = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastDelivery = new AtomicLong();
  private volatile String phase = "latency-";

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: EventStreamBench API_URL EDGE_URL OWNER_KEY POSTBACK_TOKEN [CLIENTS] [RATE] [SECONDS] [BURST]");
      System.exit(2);
    }
    int clients = args.length > 4 ? Integer.parseInt(args[4]) : 100;
    int rate = args.length > 5 ? Integer.parseInt(args[5]) : 100;
    int seconds = args.length > 6 ? Integer.parseInt(args[6]) : 10;
    int burst = args.length > 7 ? Integer.parseInt(args[7]) : 5000;
    new EventStreamBench().run(args[0], args[1], args[2], args[3], clients, rate, seconds, burst);
  }

  private void run(String api, String edge, String key, String token, int clients, int rate, int seconds, int burst)
      throws Exception {
    CountDownLatch open = new CountDownLatch(clients);
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(() -> follow(api, key, open), "sse-" + i);
      t.setDaemon(true);
      t.start();
    }
    if (!open.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("not every stream opened: " + open.getCount() + " missing");
    }
    String run = Long.toString(System.currentTimeMillis(), 36);

    // 1. Latency at a fixed rate.
    int total = rate * seconds;
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long due = start + i * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      postback(edge, token, "latency-" + run + "-" + i);
    }
    awaitDeliveries((long) total * clients, Duration.ofSeconds(30));
    List<Long> sorted = new ArrayList<>();
    synchronized (arrivals) {
      for (Map.Entry<String, Long> a : arrivals) {
        Long ok = okAt.get(a.getKey());
        if (ok != null) {
          sorted.add(Math.max(0, a.getValue() - ok));
        }
      }
    }
    Collections.sort(sorted);
    long latencyDeliveries = delivered.get();

    // 2. Throughput: a burst, deliveries per second to all clients together.
    phase = "burst-";
    delivered.set(0);
    firstDelivery.set(Long.MAX_VALUE);
    lastDelivery.set(0);
    Semaphore inFlight = new Semaphore(32);
    List<Thread> senders = new ArrayList<>();
    AtomicLong next = new AtomicLong();
    for (int s = 0; s < 32; s++) {
      Thread t = new Thread(() -> {
        long i;
        while ((i = next.getAndIncrement()) < burst) {
          inFlight.acquireUninterruptibly();
          try {
            postback(edge, token, "burst-" + run + "-" + i);
          } finally {
            inFlight.release();
          }
        }
      });
      t.start();
      senders.add(t);
    }
    for (Thread t : senders) {
      t.join();
    }
    awaitDeliveries((long) burst * clients, Duration.ofSeconds(120));
    double seconds2 = (lastDelivery.get() - firstDelivery.get()) / 1e9;

    System.out.printf("RESULT clients=%d latency_postbacks=%d deliveries=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f%n",
        clients, total, latencyDeliveries, ms(sorted, 0.50), ms(sorted, 0.99),
        sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1) / 1e6);
    System.out.printf("RESULT burst_postbacks=%d deliveries=%d of %d seconds=%.2f events_per_s=%.0f%n",
        burst, delivered.get(), (long) burst * clients, seconds2, delivered.get() / Math.max(seconds2, 1e-9));
    System.exit(0);
  }

  private void follow(String api, String key, CountDownLatch open) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/api/v1/events?types=tracklane.postback.received.v1"))
          .header("X-Api-Key", key).header("Accept", "text/event-stream").build();
      HttpResponse<InputStream> r = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("stream answered " + r.statusCode() + ": "
            + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
      }
      BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
      boolean counted = false;
      String line;
      while ((line = in.readLine()) != null) {
        if (!counted && line.startsWith("id: ")) {
          counted = true;
          open.countDown();
        }
        if (!line.startsWith("data: ")) {
          continue;
        }
        long now = System.nanoTime();
        Matcher m = TX.matcher(line);
        if (!m.find() || !m.group(1).startsWith(phase)) {
          continue;
        }
        delivered.incrementAndGet();
        firstDelivery.accumulateAndGet(now, Math::min);
        lastDelivery.accumulateAndGet(now, Math::max);
        if (phase.equals("latency-")) {
          arrivals.add(Map.entry(m.group(1), now));
        }
      }
    } catch (Exception e) {
      System.err.println("stream failed: " + e);
    }
  }

  private void postback(String edge, String token, String transactionId) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(edge + "/postback"))
        .header("X-Postback-Token", token).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("transaction_id=" + transactionId + "&amount=1.00&customer_id=c-"
            + transactionId)).build();
    try {
      HttpResponse<Void> r = HTTP.send(request, HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() == 200) {
        okAt.put(transactionId, System.nanoTime());
      } else {
        System.err.println("postback answered " + r.statusCode());
      }
    } catch (Exception e) {
      System.err.println("postback failed: " + e);
    }
  }

  private void awaitDeliveries(long expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (delivered.get() < expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  private static double ms(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return 0;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)) / 1e6;
  }
}
