package io.tracklane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracklane.config.AppConfig;
import io.tracklane.config.ConfigSource;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The jar's entry points in a real child JVM: create-program, serve, and a graceful stop on SIGTERM. */
@Timeout(180)
class LifecycleTest {
  private final Map<String, String> settings = TestEngine.settings(LifecycleTest.class, Map.of());
  private final AppConfig config = AppConfig.from(ConfigSource.load(Map.of(), settings));

  @AfterEach
  void dropSchema() {
    TestEngine.dropSchema(config);
  }

  @Test
  void createProgramPrintsIdsAndKeysThenServeAnswersAndStopsGracefullyOnSigterm() throws Exception {
    Path out = Files.createTempFile("create-program", ".out");
    Process create = child(out, "create-program", "--name", "Acme", "--time-zone", "Asia/Tokyo", "--currency", "JPY");
    assertTrue(create.waitFor(90, TimeUnit.SECONDS), "create-program finished");
    assertEquals(0, create.exitValue(), Files.readString(out));
    JsonObject program = new JsonObject(Files.readString(out).substring(Files.readString(out).indexOf('{')));
    assertTrue(program.getString("api_key").startsWith("sk_"));
    assertTrue(program.getString("postback_token").startsWith("pt_"));
    assertEquals("JPY", program.getString("currency"));

    Path log = Files.createTempFile("serve", ".log");
    Process serve = child(log, "serve");
    try {
      String ops = "http://127.0.0.1:" + config.http().opsPort();
      Http.poll(Duration.ofSeconds(90), r -> r.statusCode() == 200, ops + "/health/ready");
      String api = "http://127.0.0.1:" + config.http().apiPort() + "/api/v1/campaigns";
      assertEquals(200, Http.get(api, Http.basic(program.getString("api_key"))).statusCode());

      serve.destroy();
      assertTrue(serve.waitFor(45, TimeUnit.SECONDS), "stopped within 45 s of SIGTERM");
      String text = Files.readString(log);
      assertTrue(text.contains("stopping: draining requests"), text);
      assertFalse(text.contains("graceful stop incomplete"), text);
    } finally {
      serve.destroyForcibly();
    }
  }

  @Test
  void invalidConfigurationListsEveryProblemAndExits2() throws Exception {
    Path out = Files.createTempFile("bad-config", ".out");
    ProcessBuilder pb = builder(out, "serve");
    pb.environment().put("TRACKLANE_HTTP_EDGE_PORT", "not-a-port");
    pb.environment().put("TRACKLANE_ROLES", "edge,teleport");
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue());
    String text = Files.readString(out);
    assertTrue(text.contains("http.edge_port must be a whole number") && text.contains("unknown role 'teleport'"),
        text);
  }

  @Test
  void serveRefusesTheDevelopmentClickIdKeyNamingTheVariableToSet() throws Exception {
    Path out = Files.createTempFile("dev-key", ".out");
    ProcessBuilder pb = builder(out, "serve");
    // As a fresh install would run: the key written in config/application.yaml.
    pb.environment().remove(ConfigSource.envName("click_id.keys"));
    Process p = pb.start();
    try {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "refused at once instead of serving");
      assertEquals(2, p.exitValue());
      String text = Files.readString(out);
      assertTrue(text.contains("TRACKLANE_CLICK_ID_KEYS") && text.contains("development"), text);
    } finally {
      p.destroyForcibly();
    }
  }

  private Process child(Path output, String... args) throws IOException {
    return builder(output, args).start();
  }

  private ProcessBuilder builder(Path output, String... args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx256m", "-Dlogback.configurationFile=logback.xml", "-cp",
        System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith(ConfigSource.ENV_PREFIX));
    settings.forEach((k, v) -> pb.environment().put(ConfigSource.envName(k), v));
    pb.directory(new File(System.getProperty("user.dir")));
    return pb;
  }
}
