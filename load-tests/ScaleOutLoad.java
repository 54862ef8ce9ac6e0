import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scale-out run's load client (load-tests/scale-out.sh): for DURATION seconds, WORKERS threads
 * send redirects (GET /r/CODE) at about RATE per second in all, and after every second redirect a
 * sale postback carrying that redirect's click id, through the load balancer. Every answer is
 * recorded: each 302's click id in OUT/clicks.ok, each 2xx postback's transaction id in
 * OUT/postbacks.ok; everything else (another status, a reset connection, a timeout) is only counted,
 * never retried, since the run checks that what was acknowledged is stored exactly once.
 *
 *   java -cp target/tracklane.jar load-tests/ScaleOutLoad.java EDGE_URL CODE TOKEN RATE DURATION WORKERS OUT
 *   java -cp target/tracklane.jar load-tests/ScaleOutLoad.java delete-topics BOOTSTRAP TOPIC...   (clean-up)
 */
public final class ScaleOutLoad {
  private static final Pattern CLICK_ID = Pattern.compile("[?&]click_id=([A-Za-z0-9_-]+)");

  public static void main(String[] args) throws Exception {
    if (args[0].equals("delete-topics")) {
      try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
          java.util.Map.of("bootstrap.servers", args[1]))) {
        admin.deleteTopics(List.of(args).subList(2, args.length)).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      return;
    }
    String edge = args[0];
    String code = args[1];
    String token = args[2];
    double rate = Double.parseDouble(args[3]);
    long durationMs = Long.parseLong(args[4]) * 1000;
    int workers = Integer.parseInt(args[5]);
    Path out = Path.of(args[6]);
    Files.createDirectories(out);
    String run = Long.toString(System.currentTimeMillis(), 36);

    HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(2)).build();
    java.util.concurrent.ConcurrentSkipListMap<String, AtomicLong> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();
    AtomicLong clicks = new AtomicLong(), clicks302 = new AtomicLong(), clicksOther = new AtomicLong(),
        clicksFailed = new AtomicLong(), postbacks = new AtomicLong(), postbacks2xx = new AtomicLong(),
        postbacksOther = new AtomicLong(), postbacksFailed = new AtomicLong();
    try (PrintWriter clickLog = new PrintWriter(Files.newBufferedWriter(out.resolve("clicks.ok")));
         PrintWriter postbackLog = new PrintWriter(Files.newBufferedWriter(out.resolve("postbacks.ok")))) {
      long start = System.nanoTime();
      long intervalNs = (long) (1e9 * workers / rate);
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        int worker = w;
        Thread t = new Thread(() -> {
          long next = System.nanoTime() + worker * intervalNs / workers;
          long n = 0;
          while (System.nanoTime() - start < durationMs * 1_000_000L) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
              sleepNs(wait);
            }
            next += intervalNs;
            n++;
            String clickId = null;
            clicks.incrementAndGet();
            try {
              HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(edge + "/r/" + code))
                  .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) scale-out/" + worker + "." + n)
                  .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding());
              Matcher m = CLICK_ID.matcher(r.headers().firstValue("Location").orElse(""));
              if (r.statusCode() == 302 && m.find()) {
                clicks302.incrementAndGet();
                clickId = m.group(1);
                synchronized (clickLog) {
                  clickLog.println(clickId);
                }
              } else {
                clicksOther.incrementAndGet();
                statuses.computeIfAbsent("redirect " + r.statusCode(), k -> new AtomicLong()).incrementAndGet();
              }
            } catch (IOException | InterruptedException e) {
              clicksFailed.incrementAndGet();
              statuses.computeIfAbsent("redirect " + e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
            }
            if (clickId == null || n % 2 != 0) {
              continue;
            }
            String tx = "so-" + run + "-" + worker + "-" + n;
            String form = "transaction_id=" + tx + "&amount=10.00&click_id=" + URLEncoder.encode(clickId, StandardCharsets.UTF_8);
            postbacks.incrementAndGet();
            try {
              HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(edge + "/postback"))
                  .header("Content-Type", "application/x-www-form-urlencoded").header("X-Postback-Token", token)
                  .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                  HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() / 100 == 2) {
                postbacks2xx.incrementAndGet();
                synchronized (postbackLog) {
                  postbackLog.println(tx);
                }
              } else {
                postbacksOther.incrementAndGet();
                statuses.computeIfAbsent("postback " + r.statusCode(), k -> new AtomicLong()).incrementAndGet();
              }
            } catch (IOException | InterruptedException e) {
              postbacksFailed.incrementAndGet();
              statuses.computeIfAbsent("postback " + e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
            }
          }
        }, "load-" + w);
        t.start();
        threads.add(t);
      }
      for (Thread t : threads) {
        t.join();
      }
    }
    System.out.printf("LOAD clicks=%d clicks_302=%d clicks_other=%d clicks_failed=%d postbacks=%d postbacks_2xx=%d"
        + " postbacks_other=%d postbacks_failed=%d%n", clicks.get(), clicks302.get(), clicksOther.get(),
        clicksFailed.get(), postbacks.get(), postbacks2xx.get(), postbacksOther.get(), postbacksFailed.get());
    StringBuilder other = new StringBuilder();
    statuses.forEach((k, v) -> other.append(other.length() == 0 ? "" : ", ").append(k).append(": ").append(v.get()));
    System.out.println("STATUSES " + (other.length() == 0 ? "none" : other));
  }

  private static void sleepNs(long ns) {
    try {
      Thread.sleep(ns / 1_000_000, (int) (ns % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
