package io.tracklane.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration reference must name every key and its variable, so it stays true to the code. */
class ConfigurationReferenceTest {

  @Test
  void everyKeyAndVariableIsDocumented() throws IOException {
    String doc = Files.readString(Path.of("docs/configuration.md"));
    for (String key : ConfigSource.load(Map.of(), Map.of()).keySet()) {
      assertTrue(doc.contains("| `" + key + "` |"), "docs/configuration.md lacks " + key);
      assertTrue(doc.contains("`" + ConfigSource.envName(key) + "`"), "docs/configuration.md lacks the variable of " + key);
    }
  }
}
