package io.tracklane.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Dependencies a fault test may stop, freeze and restart: its own PostgreSQL cluster, Redis server
 * and Kafka broker on free ports (never the shared ones). Each is removed by {@code close()}.
 */
public final class OwnServices {
  private OwnServices() {
  }

  /** Runs a command, failing with its output when it exits non-zero. */
  static String run(long timeoutSeconds, String... command) {
    try {
      Path out = Files.createTempFile("own-service", ".out");
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " timed out: " + Files.readString(out));
      }
      String text = Files.readString(out);
      Files.deleteIfExists(out);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A PostgreSQL cluster of its own (pg_createcluster, trust authentication on 127.0.0.1). */
  public static final class Postgres implements AutoCloseable {
    private final String version;
    private final String name;
    public final int port;

    public Postgres() {
      String[] versions = new File("/usr/lib/postgresql").list();
      if (versions == null || versions.length == 0) {
        throw new IllegalStateException("no PostgreSQL server installed under /usr/lib/postgresql");
      }
      java.util.Arrays.sort(versions);
      version = versions[versions.length - 1];
      port = TestEngine.freePort();
      name = "tl_fault_" + port;
      run(120, "pg_createcluster", version, name, "-p", Integer.toString(port), "--",
          "--auth-host=trust", "--auth-local=trust");
      start();
    }

    public void start() {
      run(60, "pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start");
    }

    /** A fast stop: sessions are ended (57P01), new ones refused. */
    public void stop() {
      run(60, "pg_ctlcluster", "--skip-systemctl-redirect", version, name, "stop", "-m", "fast");
    }

    @Override
    public void close() {
      try {
        run(60, "pg_dropcluster", "--stop", version, name);
      } catch (RuntimeException e) {
        System.err.println("could not drop cluster " + name + ": " + e.getMessage());
      }
    }
  }

  /** A redis-server of its own, nothing kept on disk. */
  public static final class Redis implements AutoCloseable {
    public final int port = TestEngine.freePort();
    private Process process;

    public Redis() {
      start();
    }

    public synchronized void start() {
      try {
        process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
          return;
        } catch (IOException e) {
          sleep(50);
        }
      }
      throw new IllegalStateException("redis-server did not listen on " + port);
    }

    public synchronized void stop() {
      process.destroy();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    public String url() {
      return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  /** A Kafka broker of its own (scripts/kafka.sh), which a test may stop, freeze (SIGSTOP) and thaw. */
  public static final class Kafka implements AutoCloseable {
    public final int port = TestEngine.freePort();
    private final Path dir;

    public Kafka() {
      dir = Path.of(System.getProperty("user.dir"), "target", "own-kafka-" + port);
      start();
    }

    public void start() {
      run(300, "bash", "scripts/kafka.sh", "start", "--dir", dir.toString(), "--port", Integer.toString(port));
    }

    public void stop() {
      run(90, "bash", "scripts/kafka.sh", "stop", "--dir", dir.toString());
    }

    public String bootstrap() {
      return "127.0.0.1:" + port;
    }

    /** SIGSTOP (true) or SIGCONT (false) to the broker's JVM: connections stay open, nothing answers. */
    public void freeze(boolean frozen) {
      try {
        String pid = Files.readString(dir.resolve("broker.pid")).trim();
        run(10, "kill", frozen ? "-STOP" : "-CONT", pid);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      try {
        freeze(false);
      } catch (RuntimeException e) {
        // not running
      }
      try {
        stop();
      } catch (RuntimeException e) {
        System.err.println("could not stop the broker in " + dir + ": " + e.getMessage());
      }
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static List<String> list(String... items) {
    return List.of(items);
  }
}
