package io.tracklane.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/alerts/tracklane.rules.yml parses as Prometheus rule groups (CI also runs promtool on it when
 * it is installed), and every metric its expressions name is one the engine serves: a renamed metric
 * must not leave an alert that can never fire.
 */
class AlertRulesTest {
  private static final Path RULES = Path.of("docs/alerts/tracklane.rules.yml");
  private static final Pattern METRIC = Pattern.compile("\\b((?:tracklane|vertx)_[a-z0-9_]+)\\b");
  /** Served by components of other issues' branches once merged (the edge's disk journal). */
  private static final Set<String> NOT_YET_SERVED = Set.of("tracklane_journal_bytes");

  @Test
  void everyRuleIsWellFormedAndNamesMetricsTheEngineServes() throws IOException {
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());
    Set<String> metrics = new TreeSet<>();
    int rules = 0;
    for (JsonNode group : doc.get("groups")) {
      assertFalse(group.get("name").asText().isBlank());
      for (JsonNode rule : group.get("rules")) {
        rules++;
        String alert = rule.get("alert").asText();
        assertTrue(alert.matches("[A-Z][A-Za-z0-9]+"), alert);
        assertTrue(Set.of("page", "warning").contains(rule.get("labels").get("severity").asText()), alert);
        assertFalse(rule.get("annotations").get("summary").asText().isBlank(), alert);
        if (rule.has("for")) {
          assertTrue(rule.get("for").asText().matches("\\d+[smh]"), alert);
        }
        Matcher m = METRIC.matcher(rule.get("expr").asText());
        boolean any = false;
        while (m.find()) {
          metrics.add(m.group(1));
          any = true;
        }
        assertTrue(any, alert + " names no Tracklane or Vert.x metric");
      }
    }
    assertTrue(rules >= 10, "rules: " + rules);

    String source = mainSource();
    try (TestEngine engine = TestEngine.start(AlertRulesTest.class, Map.of("roles", "edge,api,ledger"))) {
      Http.get(engine.edgeUrl() + "/r/no-such-link");
      Http.poll(java.time.Duration.ofSeconds(15), r -> r.body().contains("tracklane_ledger_consumer_group_lag"),
          engine.opsUrl() + "/metrics");
      String scrape = Http.get(engine.opsUrl() + "/metrics").body();
      for (String metric : metrics) {
        if (NOT_YET_SERVED.contains(metric) && !source.contains("\"" + metric + "\"")) {
          continue;
        }
        boolean served = scrape.contains("\n" + metric + "{") || scrape.contains("\n" + metric + " ");
        boolean registered = source.contains("\"" + metric + "\"");
        assertTrue(served || registered, metric + " is neither served nor registered by the engine");
      }
      assertTrue(scrape.contains("vertx_http_server_requests_total{"), "Vert.x request metrics are served");
    }
  }

  private static String mainSource() throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
        all.append(Files.readString(p));
      }
    }
    return all.toString();
  }
}
