package io.tracklane.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Flat configuration keys ("http.edge_port") from the YAML defaults, overridden by TRACKLANE_*
 * environment variables and then by explicit overrides (used by tests).
 */
public final class ConfigSource {
  public static final String ENV_PREFIX = "TRACKLANE_";
  /** Variables under this prefix belong to tools around the engine, not to its configuration. */
  private static final List<String> NOT_CONFIG = List.of("TRACKLANE_TEST_", "TRACKLANE_DEMO_", "TRACKLANE_CONFIG_FILE");

  private ConfigSource() {
  }

  /**
   * Loads the defaults (the file named by TRACKLANE_CONFIG_FILE, else config/application.yaml
   * bundled in the jar), then applies the environment and the overrides.
   */
  public static Map<String, String> load(Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> values = new TreeMap<>(readDefaults(env.get("TRACKLANE_CONFIG_FILE")));
    List<String> problems = new ArrayList<>();
    env.forEach((name, value) -> {
      if (!name.startsWith(ENV_PREFIX) || NOT_CONFIG.stream().anyMatch(name::startsWith)) {
        return;
      }
      String key = keyFor(name, values);
      if (key == null) {
        problems.add(name + " does not name a configuration key");
      } else {
        values.put(key, value);
      }
    });
    overrides.forEach((key, value) -> {
      if (!values.containsKey(key)) {
        problems.add("override " + key + " does not name a configuration key");
      }
      values.put(key, value);
    });
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return values;
  }

  /** The environment variable that overrides a key. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  private static String keyFor(String envName, Map<String, String> known) {
    for (String key : known.keySet()) {
      if (envName(key).equals(envName)) {
        return key;
      }
    }
    return null;
  }

  private static Map<String, String> readDefaults(String file) {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (InputStream in = file != null
        ? Files.newInputStream(Path.of(file))
        : ConfigSource.class.getResourceAsStream("/application.yaml")) {
      if (in == null) {
        throw new ConfigException(List.of("application.yaml is missing from the classpath"));
      }
      Map<String, String> flat = new TreeMap<>();
      flatten("", yaml.readTree(in), flat);
      return flat;
    } catch (IOException e) {
      throw new ConfigException(List.of("cannot read configuration " + (file == null ? "defaults" : file)
          + ": " + e.getMessage()));
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
      }
    } else {
      out.put(prefix, node.isNull() ? "" : node.asText());
    }
  }
}
