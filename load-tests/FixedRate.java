import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load generator (wrk2 is not packaged by Debian): sends GETs at a fixed rate and
 * measures each latency from when the request was due, not when it was sent, so a stalled server
 * is not hidden by a stalled client (coordinated omission). One thread does everything with plain
 * NIO: it paces the requests, writes each one's bytes (built once per target) on a free keep-alive
 * connection, and reads the answers; a due request waits for a free connection, and that wait counts
 * in its latency. Nothing is allocated per request, so the generator itself stays cheap next to the
 * server it measures on the same machine. The first WARMUP seconds are sent but not measured. It
 * reports its own lag: how late after its due time each request was actually written (gen_lag_*).
 * A generator that falls behind itself would understate latency; a small lag shows it kept up.
 *
 * <p>TARGET is a URL, or {@code @FILE} with one "URL [API-KEY]" per line (one host and port): requests
 * go round-robin over the lines, each with its key in X-Api-Key (one line per cache key for the stats
 * benchmark). Answers must carry a Content-Length or be chunked; any status of 400 or more counts as
 * an error. Mode {@code first} sends one request per line, one after another, each timed on its own
 * (the first answers after a FLUSHALL). Run from the repository root:
 *
 * <pre>
 * java -cp target/tracklane.jar load-tests/FixedRate.java TARGET RATE SECONDS CONNECTIONS WARMUP
 * java -cp target/tracklane.jar load-tests/FixedRate.java first @FILE
 * </pre>
 */
public final class FixedRate {
  private static final String AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
  /** Below this wait the loop polls the sockets and parks briefly instead of blocking in select. */
  private static final long SELECT_ABOVE_NANOS = 1_500_000;
  private static final long PARK_MAX_NANOS = 50_000;
  private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};
  private static final byte[] CHUNKED_END = {'\r', '\n', '0', '\r', '\n', '\r', '\n'};

  record Target(URI uri, String key) {
    String path() {
      return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    byte[] request() {
      String text = "GET " + path() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
          + "\r\nUser-Agent: " + AGENT + "\r\n" + (key == null ? "" : "X-Api-Key: " + key + "\r\n") + "\r\n";
      return text.getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** One keep-alive connection with at most one request in flight. */
  private static final class Connection {
    final SocketChannel channel;
    ByteBuffer in = ByteBuffer.allocate(16 * 1024);
    int current = -1;

    Connection(SocketChannel channel) {
      this.channel = channel;
    }
  }

  private final InetSocketAddress address;
  private final byte[][] requests;
  private final long start;
  private final int rate;
  private final int total;
  private final int skipped;
  /** Per request, microseconds from its due time to its answer, and to when it was written. */
  private final int[] latencies;
  private final int[] sendLags;
  private final Selector selector;
  private final ArrayDeque<Connection> idle = new ArrayDeque<>();
  private int sent;
  private int done;
  private int errors;

  FixedRate(List<Target> targets, int rate, int seconds, int connections, int warmup) throws IOException {
    URI first = targets.get(0).uri();
    this.address = new InetSocketAddress(first.getHost(), first.getPort());
    this.requests = new byte[targets.size()][];
    for (int i = 0; i < requests.length; i++) {
      requests[i] = targets.get(i).request();
    }
    this.rate = rate;
    this.skipped = rate * warmup;
    this.total = rate * (warmup + seconds);
    this.latencies = new int[total];
    this.sendLags = new int[total];
    this.selector = Selector.open();
    for (int i = 0; i < connections; i++) {
      idle.push(connect());
    }
    this.start = System.nanoTime() + 200_000_000L;
  }

  private Connection connect() throws IOException {
    SocketChannel channel = SocketChannel.open(address);
    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    channel.configureBlocking(false);
    Connection c = new Connection(channel);
    channel.register(selector, SelectionKey.OP_READ, c);
    return c;
  }

  private long due(int i) {
    return start + i * 1_000_000_000L / rate;
  }

  void run() throws IOException {
    while (done < total) {
      long now = System.nanoTime();
      while (sent < total && due(sent) <= now && !idle.isEmpty()) {
        send(idle.pop(), sent++, now);
      }
      long wait = sent < total && !idle.isEmpty() ? due(sent) - System.nanoTime() : Long.MAX_VALUE;
      if (wait > SELECT_ABOVE_NANOS) {
        selector.select(wait == Long.MAX_VALUE ? 1000 : Math.max(1, (wait - SELECT_ABOVE_NANOS / 2) / 1_000_000));
      } else if (selector.selectNow() == 0 && wait > 0) {
        LockSupport.parkNanos(Math.min(wait, PARK_MAX_NANOS));
        selector.selectNow();
      }
      for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
        SelectionKey key = it.next();
        it.remove();
        read((Connection) key.attachment());
      }
    }
  }

  private void send(Connection c, int i, long now) throws IOException {
    sendLags[i] = (int) ((now - due(i)) / 1000);
    c.current = i;
    ByteBuffer out = ByteBuffer.wrap(requests[i % requests.length]);
    while (out.hasRemaining()) {
      c.channel.write(out);
    }
  }

  private void read(Connection c) throws IOException {
    int n;
    try {
      n = c.channel.read(c.in);
    } catch (IOException e) {
      n = -1;
    }
    if (n < 0) {
      // Closed by the server: the request in flight failed; a new connection takes its place.
      c.channel.close();
      if (c.current >= 0) {
        finish(c.current, true);
      }
      idle.push(connect());
      return;
    }
    int length = answerLength(c.in);
    if (length == 0) {
      if (!c.in.hasRemaining()) {
        c.in = ByteBuffer.allocate(c.in.capacity() * 2).put(c.in.flip());
      }
      return;
    }
    int status = (c.in.get(9) - '0') * 100 + (c.in.get(10) - '0') * 10 + (c.in.get(11) - '0');
    c.in.clear();
    int i = c.current;
    c.current = -1;
    idle.push(c);
    if (i >= 0) {
      finish(i, status >= 400);
    }
  }

  private void finish(int i, boolean failed) {
    latencies[i] = (int) ((System.nanoTime() - due(i)) / 1000);
    if (failed) {
      errors++;
    }
    done++;
  }

  /** The whole answer's length once it is all in {@code in} (positions 0 to position), else 0. */
  private static int answerLength(ByteBuffer in) {
    int filled = in.position();
    int headerEnd = indexOf(in, HEADER_END, 0, filled);
    if (headerEnd < 0) {
      return 0;
    }
    int bodyStart = headerEnd + HEADER_END.length;
    String headers = new String(in.array(), 0, headerEnd, StandardCharsets.ISO_8859_1).toLowerCase();
    int at = headers.indexOf("\r\ncontent-length:");
    if (at >= 0) {
      int end = headers.indexOf("\r\n", at + 2);
      int length = Integer.parseInt(headers.substring(at + 17, end < 0 ? headers.length() : end).trim());
      return filled >= bodyStart + length ? bodyStart + length : 0;
    }
    if (headers.contains("\r\ntransfer-encoding: chunked")) {
      if (filled >= bodyStart + 5 && in.get(bodyStart) == '0') {
        return bodyStart + 5;
      }
      int end = indexOf(in, CHUNKED_END, bodyStart, filled);
      return end < 0 ? 0 : end + CHUNKED_END.length;
    }
    return bodyStart;
  }

  private static int indexOf(ByteBuffer in, byte[] what, int from, int to) {
    byte[] a = in.array();
    for (int i = from; i <= to - what.length; i++) {
      int k = 0;
      while (k < what.length && a[i + k] == what[k]) {
        k++;
      }
      if (k == what.length) {
        return i;
      }
    }
    return -1;
  }

  void report() {
    double elapsed = (System.nanoTime() - (start + skipped * 1_000_000_000L / rate)) / 1e9;
    int[] sorted = Arrays.copyOfRange(latencies, skipped, total);
    int[] lags = Arrays.copyOfRange(sendLags, skipped, total);
    Arrays.sort(sorted);
    Arrays.sort(lags);
    System.out.printf("FIXED rate=%d keys=%d achieved=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d gen_lag_p99_ms=%.2f"
        + " gen_lag_max_ms=%.2f%n", rate, requests.length, sorted.length / elapsed, sorted[sorted.length / 2] / 1e3,
        sorted[(int) (sorted.length * 0.99)] / 1e3, errors, lags[(int) (lags.length * 0.99)] / 1e3,
        lags[lags.length - 1] / 1e3);
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
    if ("first".equals(args[0])) {
      first(Vertx.vertx(), targets(args[1]));
      return;
    }
    int rate = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    int connections = Integer.parseInt(args[3]);
    int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    FixedRate generator = new FixedRate(targets(args[0]), rate, seconds, connections, warmup);
    generator.run();
    generator.report();
  }
}
