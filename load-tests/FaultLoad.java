import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fault suite's client (load-tests/faults.sh): an open-loop load of redirects and postbacks at
 * fixed rates for a bounded time, recording every answer, one line each, in OUT.answers:
 *   kind status id detail      (kind r|p; status 0 = no answer: refused, reset or timed out;
 *                               id = the click id of a 302, the transaction id of a postback)
 * and, every 250 ms, each ops URL's readiness in OUT.ready ("millis url status"). Each request is
 * sent when it is due whatever happened to the ones before (a stalled server is not hidden), on
 * kept-alive connections, with a 30 s timeout. Run from the repository root:
 *   java -cp target/tracklane.jar load-tests/FaultLoad.java EDGE_URL LINK_CODE TOKEN CLICK_ID RATE SECONDS
 *        PREFIX OUT [OPS_URL ...]
 */
public final class FaultLoad {
  private static final String AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

  public static void main(String[] args) throws Exception {
    URI edge = URI.create(args[0]);
    String code = args[1];
    String token = args[2];
    String clickId = args[3];
    int rate = Integer.parseInt(args[4]);
    int seconds = Integer.parseInt(args[5]);
    String prefix = args[6];
    Path out = Path.of(args[7]);
    List<String> ops = List.of(args).subList(8, args.length);

    Vertx vertx = Vertx.vertx();
    // Two pools, so slow postbacks (waiting for the broker's ack) never hold redirects back.
    HttpClient redirects = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(edge.getHost())
        .setDefaultPort(edge.getPort()).setKeepAlive(true).setConnectTimeout(2000),
        new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(-1));
    HttpClient postbacks = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(edge.getHost())
        .setDefaultPort(edge.getPort()).setKeepAlive(true).setConnectTimeout(2000),
        new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(-1));
    HttpClient probes = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setConnectTimeout(500));
    ConcurrentLinkedQueue<String> answers = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> ready = new ConcurrentLinkedQueue<>();
    int total = rate * seconds;
    CountDownLatch done = new CountDownLatch(2 * total);
    AtomicInteger sent = new AtomicInteger();
    long start = System.nanoTime() + 100_000_000L;
    long started = System.currentTimeMillis() + 100;
    // Tells faults.sh the load has begun: its fault is timed from here, not from the JVM's start.
    Files.writeString(Path.of(out + ".started"), Long.toString(started));
    java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    long probeTimer = vertx.setPeriodic(250, id -> {
      if (stopping.get()) {
        return;
      }
      for (String url : ops) {
        probes.request(new RequestOptions().setAbsoluteURI(url + "/health/ready").setTimeout(5000))
            .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
            .onComplete(ar -> {
              if (!stopping.get()) {
                ready.add((System.currentTimeMillis() - started) + " " + url + " " + (ar.succeeded() ? ar.result() : 0));
              }
            });
      }
    });
    long loadTimer = vertx.setPeriodic(1, timer -> {
      long due = Math.min(total, Math.max(0, System.nanoTime() - start) * rate / 1_000_000_000L);
      while (sent.get() < due) {
        int i = sent.getAndIncrement();
        String tx = prefix + "-" + i;
        redirects.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/r/" + code + "?sub1=" + tx)
                .setTimeout(30_000).putHeader("User-Agent", AGENT + " " + tx))
            .compose(req -> req.send().compose(resp -> resp.body().map(b -> {
              String location = resp.getHeader("Location");
              String click = location == null ? "-" : location.replaceAll(".*[?&]click_id=([^&]*).*", "$1");
              return resp.statusCode() + " " + click;
            })))
            .onComplete(ar -> {
              answers.add("r " + (ar.succeeded() ? ar.result() : "0 -") + " " + tx);
              done.countDown();
            });
        String form = "transaction_id=" + tx + "&amount=10.00&currency=EUR&click_id=" + clickId;
        postbacks.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/postback").setTimeout(30_000)
                .putHeader("Content-Type", "application/x-www-form-urlencoded").putHeader("X-Postback-Token", token))
            .compose(req -> req.send(form).compose(resp -> resp.body().map(b -> resp.statusCode() + " " + tx + " "
                + b.toString().replaceAll(".*\"status\":\"([a-z_]+)\".*", "$1").replaceAll("\\s", "_"))))
            .onComplete(ar -> {
              answers.add("p " + (ar.succeeded() ? ar.result() : "0 " + tx + " " + ar.cause().getClass()
                  .getSimpleName()));
              done.countDown();
            });
      }
    });
    boolean finished = done.await(seconds + 60L, TimeUnit.SECONDS);
    stopping.set(true);
    vertx.cancelTimer(probeTimer);
    vertx.cancelTimer(loadTimer);
    Thread.sleep(2500); // probes in flight end before the clients close
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(out + ".answers")))) {
      answers.forEach(w::println);
    }
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(out + ".ready")))) {
      ready.forEach(w::println);
    }
    System.out.println("sent " + sent.get() + " of each; all answered or timed out: " + finished);
  }
}
