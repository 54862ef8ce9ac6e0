package io.tracklane.edge;

import io.tracklane.testing.TestEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A Kafka broker of one test's own (scripts/kafka.sh on a free port), so the test can stop it and
 * start it again on the same port and data; plus reading the click ids of a facts topic.
 */
final class JournalBroker implements AutoCloseable {
  private final Path dir;
  private final int port;

  JournalBroker(String name) {
    port = TestEngine.freePort();
    dir = Path.of("target", "kafka-" + name + "-" + port).toAbsolutePath();
    start();
  }

  String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** Starts (again, on the same port and data); a start that timed out on a busy machine is retried. */
  void start() {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        run("start", "--dir", dir.toString(), "--port", Integer.toString(port));
        return;
      } catch (IllegalStateException e) {
        last = e;
        try {
          stop();
        } catch (IllegalStateException ignored) {
          // nothing was running
        }
      }
    }
    throw last;
  }

  void stop() {
    run("stop", "--dir", dir.toString());
  }

  @Override
  public void close() {
    stop();
  }

  private static void run(String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("bash", "scripts/kafka.sh"));
    command.addAll(List.of(args));
    try {
      Path log = Files.createTempFile("kafka-sh", ".log");
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("kafka.sh " + String.join(" ", args) + " failed: " + Files.readString(log));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The click ids of the click facts on {@code topic}, read from the beginning until {@code expected} are seen or the wait ends. */
  static Set<String> clickIds(String bootstrap, String topic, Set<String> expected, Duration wait) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", "journal-reader-" + UUID.randomUUID());
    p.put("auto.offset.reset", "earliest");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    Set<String> seen = new HashSet<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < deadline && !seen.containsAll(expected)) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
          JsonObject event = new JsonObject(r.value());
          if ("tracklane.click.recorded.v1".equals(event.getString("type"))) {
            seen.add(event.getJsonObject("data").getString("click_id"));
          }
        }
      }
    }
    return seen;
  }
}
