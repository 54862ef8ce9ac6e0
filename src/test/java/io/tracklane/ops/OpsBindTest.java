package io.tracklane.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tracklane.config.AppConfig;
import io.tracklane.config.ConfigSource;
import io.tracklane.testing.TestEngine;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ops port has no authentication, so it listens on loopback unless told otherwise. 127.0.0.2
 * is another loopback address on Linux: a server bound to 127.0.0.1 is not reachable there, one
 * bound to every interface is.
 */
@Timeout(60)
class OpsBindTest {

  @Test
  void theOpsPortBindsLoopbackByDefault() {
    AppConfig defaults = AppConfig.from(ConfigSource.load(Map.of(), Map.of()));
    assertEquals("127.0.0.1", defaults.http().opsHost());
  }

  @Test
  void boundToLoopbackTheOpsPortIsNotReachableOnAnotherAddress() throws IOException {
    int port = TestEngine.freePort();
    withOps("127.0.0.1", port, () -> {
      assertEquals(true, connects("127.0.0.1", port));
      assertThrows(ConnectException.class, () -> connects("127.0.0.2", port));
    });
  }

  @Test
  void boundToEveryInterfaceTheOpsPortIsReachableOnAnyAddress() throws IOException {
    int port = TestEngine.freePort();
    withOps("0.0.0.0", port, () -> assertEquals(true, connects("127.0.0.2", port)));
  }

  private interface Probe {
    void run() throws IOException;
  }

  private static void withOps(String host, int port, Probe probe) throws IOException {
    AppConfig config = AppConfig.from(ConfigSource.load(Map.of(),
        Map.of("http.ops_host", host, "http.ops_port", Integer.toString(port))));
    Vertx vertx = Vertx.vertx();
    try {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      TestEngine.await(vertx.deployVerticle(new OpsVerticle(config.http(), registry,
          new Readiness(vertx, registry))));
      probe.run();
    } finally {
      TestEngine.await(vertx.close());
    }
  }

  private static boolean connects(String address, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 2000);
      socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
      return new String(socket.getInputStream().readAllBytes()).startsWith("HTTP/1.1 200");
    }
  }
}
