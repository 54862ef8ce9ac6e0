package io.tracklane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.config.ConfigSource;
import io.tracklane.testing.Http;
import io.tracklane.testing.OwnServices;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM to an edge (a child JVM) while postbacks wait for a frozen broker's ack: readiness turns
 * false, a kept-alive connection's next answer carries Connection: close, and every postback in
 * flight gets an answer: 200 only once Kafka has it, else 503.
 */
@Timeout(300)
class ShutdownDrainTest {
  private static final int IN_FLIGHT = 40;

  @Test
  void everyPostbackInFlightAtSigtermIsAnsweredAndKeptAliveConnectionsAreToldToClose() throws Exception {
    try (OwnServices.Kafka kafka = new OwnServices.Kafka();
        TestEngine owner = TestEngine.start(ShutdownDrainTest.class, Map.of("roles", "api",
            "kafka.bootstrap_servers", kafka.bootstrap()))) {
      JsonObject program = owner.createProgram("Drain", "UTC", "EUR");
      String token = program.getString("postback_token");
      int edgePort = TestEngine.freePort();
      int opsPort = TestEngine.freePort();
      Path log = Files.createTempFile("drain-edge", ".log");
      Process edge = childEdge(owner, edgePort, opsPort, log);
      try {
        String edgeUrl = "http://127.0.0.1:" + edgePort;
        Http.poll(Duration.ofSeconds(90), r -> r.statusCode() == 200, "http://127.0.0.1:" + opsPort + "/health/ready");
        assertEquals(200, postback(edgeUrl, token, "warm").statusCode(), "the token is cached at the edge");

        try (Socket keptAlive = new Socket("127.0.0.1", edgePort)) {
          String first = exchange(keptAlive, "GET /r/no-such-link HTTP/1.1\r\nHost: edge\r\n\r\n");
          assertTrue(first.startsWith("HTTP/1.1 404") && !first.toLowerCase().contains("connection: close"), first);

          kafka.freeze(true);
          HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
          List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
          for (int i = 0; i < IN_FLIGHT; i++) {
            inFlight.add(client.sendAsync(HttpRequest.newBuilder(URI.create(edgeUrl + "/postback"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Postback-Token", token)
                .POST(HttpRequest.BodyPublishers.ofString("transaction_id=drain-" + i + "&amount=5.00&customer_id=c-"
                    + i)).build(),
                HttpResponse.BodyHandlers.ofString()));
          }
          Thread.sleep(500);
          edge.destroy(); // SIGTERM
          Thread.sleep(150);
          String second = exchange(keptAlive, "GET /r/no-such-link HTTP/1.1\r\nHost: edge\r\n\r\n");
          assertTrue(second.startsWith("HTTP/1.1 404") && second.toLowerCase().contains("connection: close"), second);
          HttpResponse<String> ready = Http.get("http://127.0.0.1:" + opsPort + "/health/ready");
          assertEquals(503, ready.statusCode(), "not ready once draining: " + ready.body());
          assertTrue(Http.json(ready).getBoolean("draining"), ready.body());
          Thread.sleep(500);
          kafka.freeze(false);

          Set<String> acknowledged = new HashSet<>();
          int unavailable = 0;
          for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            HttpResponse<String> r = f.get(30, TimeUnit.SECONDS); // an unanswered request fails here
            assertTrue(r.statusCode() == 200 || r.statusCode() == 503, r.statusCode() + " " + r.body());
            if (r.statusCode() == 200) {
              acknowledged.add(Http.json(r).getString("event_id"));
            } else {
              unavailable++;
            }
          }
          System.out.printf("drain: %d postbacks in flight at SIGTERM: %d answered 200, %d answered 503%n",
              IN_FLIGHT, acknowledged.size(), unavailable);
          assertTrue(edge.waitFor(40, TimeUnit.SECONDS), "the edge stopped");
          String text = Files.readString(log);
          assertTrue(text.contains("stopping: draining requests") && !text.contains("graceful stop incomplete"), text);
          // Every 200 is in Kafka.
          Set<String> inKafka = factIds(kafka.bootstrap(), owner.config().kafka().topicFacts());
          for (String id : acknowledged) {
            assertTrue(inKafka.contains(id), "answered 200 but not in Kafka: " + id);
          }
        }
      } finally {
        edge.destroyForcibly();
      }
    }
  }

  private static HttpResponse<String> postback(String edgeUrl, String token, String tx) {
    return Http.post(edgeUrl + "/postback", "application/x-www-form-urlencoded",
        "transaction_id=" + tx + "&amount=1.00&customer_id=c-" + tx, "X-Postback-Token", token);
  }

  /** Writes a request and reads one whole answer (headers and Content-Length body). */
  private static String exchange(Socket socket, String request) throws Exception {
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return head.toString();
      }
      head.append((char) b);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return head.toString();
  }

  private static Set<String> factIds(String bootstrap, String topic) {
    Set<String> ids = new HashSet<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "group.id", "drain-check-" + System.nanoTime(), "auto.offset.reset", "earliest",
        "key.deserializer", StringDeserializer.class.getName(), "value.deserializer", StringDeserializer.class.getName()))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      int empty = 0;
      while (System.nanoTime() < deadline && empty < 5) {
        var records = consumer.poll(Duration.ofMillis(500));
        if (records.isEmpty() && !ids.isEmpty()) {
          empty++;
        }
        for (ConsumerRecord<String, String> r : records) {
          ids.add(new JsonObject(r.value()).getString("id"));
        }
      }
    }
    return ids;
  }

  private static Process childEdge(TestEngine owner, int edgePort, int opsPort, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "serve").redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith(ConfigSource.ENV_PREFIX));
    pb.environment().putAll(owner.environment());
    pb.environment().put("TRACKLANE_ROLES", "edge");
    pb.environment().put("TRACKLANE_HTTP_EDGE_PORT", Integer.toString(edgePort));
    pb.environment().put("TRACKLANE_HTTP_OPS_PORT", Integer.toString(opsPort));
    pb.environment().put("TRACKLANE_HTTP_API_PORT", Integer.toString(TestEngine.freePort()));
    pb.environment().put("TRACKLANE_HTTP_SHUTDOWN_DELAY_MS", "500");
    pb.environment().put("TRACKLANE_HTTP_SHUTDOWN_GRACE_SECONDS", "10");
    pb.directory(new File(System.getProperty("user.dir")));
    return pb.start();
  }
}
