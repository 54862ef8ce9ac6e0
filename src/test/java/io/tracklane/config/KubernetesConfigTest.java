package io.tracklane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests configure the engine only through TRACKLANE_* variables, and an unknown
 * variable stops the engine at start (ConfigSource). So each overlay's tracklane-config ConfigMap
 * (base literals, then the overlay's merge) plus the Secrets' variables must load into a valid
 * AppConfig, and every variable a Deployment sets must name a configuration key. The rest
 * (probes, limits, partitions) is checked over the built YAML by scripts/k8s-check.sh.
 */
class KubernetesConfigTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Path K8S = Path.of("k8s");

  @Test
  void everyOverlaysConfigMapLoadsIntoAValidConfiguration() throws IOException {
    Map<String, String> base = configLiterals(K8S.resolve("base/kustomization.yaml"));
    assertFalse(base.isEmpty(), "k8s/base has no tracklane-config literals");
    List<Path> overlays;
    try (Stream<Path> dirs = Files.list(K8S.resolve("overlays"))) {
      overlays = dirs.filter(Files::isDirectory).sorted().toList();
    }
    assertEquals(List.of("dev", "prod"), overlays.stream().map(p -> p.getFileName().toString()).toList());
    for (Path overlay : overlays) {
      Map<String, String> env = new LinkedHashMap<>(base);
      env.putAll(configLiterals(overlay.resolve("kustomization.yaml")));
      env.put("TRACKLANE_ROLES", "edge,api,ledger");
      // The Secrets' variables: the dev overlay's generated values, else a stand-in key.
      Map<String, String> secrets = secretLiterals(overlay.resolve("kustomization.yaml"));
      env.put("TRACKLANE_CLICK_ID_KEYS", secrets.getOrDefault("click-id-keys",
          "7:c3RhbmQtaW4ta2V5LWZvci10aGUtdGVzdC1vbmx5"));
      env.put("TRACKLANE_CLICK_ID_CURRENT_KEY_ID", secrets.getOrDefault("click-id-current-key-id", "7"));
      env.put("TRACKLANE_POSTGRES_USER", secrets.getOrDefault("username", "tracklane"));
      env.put("TRACKLANE_POSTGRES_PASSWORD", secrets.getOrDefault("password", "stand-in"));

      AppConfig config;
      try {
        config = AppConfig.from(ConfigSource.load(env, Map.of()));
      } catch (ConfigException e) {
        fail(overlay + ": the ConfigMap does not load: " + e.getMessage());
        return;
      }
      assertEquals("0.0.0.0", config.http().opsHost(), overlay + ": probes need the ops port on all interfaces");
      assertEquals(3, config.kafka().replicationFactor(), overlay.toString());
      assertEquals("tracklane-pg-rw", config.postgres().host(), overlay.toString());
      assertEquals(secrets.isEmpty(), overlay.endsWith("prod"), overlay + ": only dev generates Secrets");
    }
  }

  @Test
  void everyVariableADeploymentSetsNamesAConfigurationKey() throws IOException {
    List<String> names = new ArrayList<>();
    for (String role : List.of("edge", "api", "ledger", "webhooks")) {
      for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(K8S.resolve("base/" + role + ".yaml").toFile())
          .readAll()) {
        if (!"Deployment".equals(doc.path("kind").asText())) {
          continue;
        }
        for (JsonNode container : doc.at("/spec/template/spec/containers")) {
          for (JsonNode var : container.path("env")) {
            names.add(var.path("name").asText());
          }
        }
        assertEquals(role, doc.at("/metadata/labels/app.kubernetes.io~1component").asText());
      }
    }
    assertTrue(names.contains("TRACKLANE_ROLES"), names.toString());
    for (String name : names) {
      assertTrue(name.startsWith(ConfigSource.ENV_PREFIX), name);
      try {
        ConfigSource.load(Map.of(name, "1"), Map.of());
      } catch (ConfigException e) {
        fail("a Deployment sets " + name + ": " + e.getMessage());
      }
    }
  }

  /** The literals of the tracklane-config configMapGenerator in one kustomization. */
  private static Map<String, String> configLiterals(Path kustomization) throws IOException {
    return literals(kustomization, "configMapGenerator", "tracklane-config");
  }

  /** The literals of every secretGenerator in one kustomization (none in prod). */
  private static Map<String, String> secretLiterals(Path kustomization) throws IOException {
    Map<String, String> all = new LinkedHashMap<>();
    for (JsonNode generator : YAML.readTree(kustomization.toFile()).path("secretGenerator")) {
      all.putAll(literals(kustomization, "secretGenerator", generator.path("name").asText()));
    }
    return all;
  }

  private static Map<String, String> literals(Path kustomization, String kind, String name) throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    for (JsonNode generator : YAML.readTree(kustomization.toFile()).path(kind)) {
      if (!name.equals(generator.path("name").asText())) {
        continue;
      }
      for (JsonNode literal : generator.path("literals")) {
        String text = literal.asText();
        int eq = text.indexOf('=');
        values.put(text.substring(0, eq), text.substring(eq + 1));
      }
    }
    return values;
  }
}
