package io.tracklane.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Kafka broker for tests: one single-node KRaft broker per test JVM.
 *
 * <p>If the environment variable {@value #ENV} is set (e.g. {@code 127.0.0.1:9092}, typically
 * from {@code scripts/kafka.sh start}), that broker is used as is. Otherwise the first call
 * starts a private broker on a free port via {@code scripts/kafka.sh start --dir
 * target/test-kafka-<port> --port <port>} and registers a shutdown hook that stops it.
 *
 * <p>Tests sharing a broker must use unique topic names / group ids.
 */
public final class KafkaBroker {

  /** Environment variable naming an already running broker ({@code host:port[,host:port]}). */
  public static final String ENV = "TRACKLANE_TEST_KAFKA";

  private static final String SCRIPT = "scripts/kafka.sh";
  private static final String DIR_PREFIX = "test-kafka-";
  private static final String OWNER_FILE = "owner.pid";
  /** Covers a first-time jar download (mvn) plus the script's own 90 s readiness wait. */
  private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final int START_ATTEMPTS = 3;

  private static String bootstrap;

  private KafkaBroker() {}

  /** Bootstrap servers of the test broker, starting it on first use. */
  public static synchronized String bootstrapServers() {
    if (bootstrap != null) {
      return bootstrap;
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      bootstrap = env.trim();
      return bootstrap;
    }
    bootstrap = startPrivateBroker();
    return bootstrap;
  }

  private static String startPrivateBroker() {
    Path root = repoRoot();
    Path target = root.resolve("target");
    reapOrphans(root, target);

    String lastFailure = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      int port = freePort();
      Path dir = target.resolve(DIR_PREFIX + port);
      try {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create " + dir, e);
      }
      // Register the hook before starting so a half-started broker is stopped too.
      Thread hook = new Thread(() -> stopQuietly(root, dir), "tracklane-test-kafka-stop-" + port);
      Runtime.getRuntime().addShutdownHook(hook);

      Result r = run(root, START_TIMEOUT,
          "bash", SCRIPT, "start", "--dir", dir.toString(), "--port", Integer.toString(port));
      if (r.exitCode == 0) {
        String addr = lastLineValue(r.stdout, "KAFKA_BOOTSTRAP=");
        return addr != null ? addr : "127.0.0.1:" + port;
      }
      lastFailure = r.describe(SCRIPT + " start --dir " + dir + " --port " + port);
      Runtime.getRuntime().removeShutdownHook(hook);
      stopQuietly(root, dir);
      // Only a port race is worth another try (the free port was taken meanwhile).
      if (!r.stderr.contains("already in use")) {
        break;
      }
    }
    throw new IllegalStateException("Could not start the test Kafka broker (set " + ENV
        + "=host:port to use an existing one).\n" + lastFailure);
  }

  private static void stopQuietly(Path root, Path dir) {
    try {
      Result r = run(root, STOP_TIMEOUT, "bash", SCRIPT, "stop", "--dir", dir.toString());
      if (r.exitCode == 0) {
        deleteRecursively(dir.resolve("data")); // keep broker.log for post-mortems
        Files.deleteIfExists(dir.resolve(OWNER_FILE));
      } else {
        System.err.println(r.describe(SCRIPT + " stop --dir " + dir));
      }
    } catch (RuntimeException | IOException e) {
      System.err.println("Failed to stop test Kafka broker in " + dir + ": " + e);
    }
  }

  /** Stops brokers left behind by test JVMs that died without running their shutdown hook. */
  private static void reapOrphans(Path root, Path target) {
    if (!Files.isDirectory(target)) {
      return;
    }
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> s = Files.list(target)) {
      s.filter(p -> p.getFileName().toString().startsWith(DIR_PREFIX))
          .filter(p -> Files.isRegularFile(p.resolve(OWNER_FILE)))
          .forEach(dirs::add);
    } catch (IOException e) {
      return;
    }
    for (Path dir : dirs) {
      try {
        long owner = Long.parseLong(Files.readString(dir.resolve(OWNER_FILE)).trim());
        if (owner != ProcessHandle.current().pid() && ProcessHandle.of(owner).isEmpty()) {
          stopQuietly(root, dir);
        }
      } catch (IOException | NumberFormatException e) {
        // not ours to judge; leave it
      }
    }
  }

  private static Path repoRoot() {
    Path p = Paths.get(System.getProperty("user.dir")).toAbsolutePath().normalize();
    for (Path cur = p; cur != null; cur = cur.getParent()) {
      if (Files.isRegularFile(cur.resolve(SCRIPT))) {
        return cur;
      }
    }
    throw new IllegalStateException("Cannot find " + SCRIPT + " in " + p + " or any parent directory; set "
        + ENV + "=host:port to use an existing broker");
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free TCP port", e);
    }
  }

  private static String lastLineValue(String out, String prefix) {
    String[] lines = out.strip().split("\\R");
    for (int i = lines.length - 1; i >= 0; i--) {
      String line = lines[i].strip();
      if (line.startsWith(prefix)) {
        return line.substring(prefix.length());
      }
    }
    return null;
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(x);
      }
    }
  }

  private record Result(int exitCode, String stdout, String stderr) {
    String describe(String what) {
      return what + " exited with " + (exitCode == -1 ? "timeout" : Integer.toString(exitCode))
          + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }
  }

  /**
   * Runs a command in {@code dir}, output captured in temp files (not pipes, so a background
   * process that kept a descriptor open could never block us). Exit code -1 means timeout.
   */
  private static Result run(Path dir, Duration timeout, String... cmd) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("tracklane-kafka-", ".out");
      err = Files.createTempFile("tracklane-kafka-", ".err");
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .directory(dir.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      Process proc = pb.start();
      int code;
      if (proc.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        code = proc.exitValue();
      } else {
        proc.descendants().forEach(ProcessHandle::destroyForcibly);
        proc.destroyForcibly();
        code = -1;
      }
      return new Result(code, Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("failed to run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", cmd), e);
    } finally {
      try {
        if (out != null) Files.deleteIfExists(out);
        if (err != null) Files.deleteIfExists(err);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }
}
