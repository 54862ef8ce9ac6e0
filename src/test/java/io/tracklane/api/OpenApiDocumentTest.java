package io.tracklane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tracklane.testing.Http;
import io.tracklane.testing.TestEngine;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The served OpenAPI document is public, is OpenAPI 3.1 and describes exactly the routes the API serves. */
@Timeout(120)
class OpenApiDocumentTest {
  private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "patch", "head", "options",
      "trace");
  private static final String BASE = "/api/v1";

  private static TestEngine engine;

  @BeforeAll
  static void start() {
    engine = TestEngine.start(OpenApiDocumentTest.class);
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void documentIsServedWithoutAKeyAsOpenApi31() throws Exception {
    JsonNode doc = servedDocument();
    assertTrue(doc.path("openapi").asText().startsWith("3.1."), doc.path("openapi").asText());
    assertTrue(doc.path("servers").path(0).path("url").asText().endsWith(BASE));
    assertTrue(doc.path("components").path("securitySchemes").has("basicAuth"));
    assertTrue(doc.path("components").path("securitySchemes").has("apiKeyHeader"));
  }

  @Test
  void everyDocumentedOperationHasARowInTheAccessTableAndNoRowIsUndocumented() throws Exception {
    Set<String> documented = new TreeSet<>();
    Iterator<Map.Entry<String, JsonNode>> paths = servedDocument().path("paths").fields();
    while (paths.hasNext()) {
      paths.next().getValue().fields().forEachRemaining(op -> {
        if (OPERATIONS.contains(op.getKey())) {
          documented.add(op.getValue().path("operationId").asText());
        }
      });
    }
    assertFalse(documented.isEmpty());
    assertEquals(documented, new TreeSet<>(AccessTable.operations()));
  }

  @Test
  void everyDocumentedOperationHasAnIdAndASuccessResponse() throws Exception {
    Iterator<Map.Entry<String, JsonNode>> paths = servedDocument().path("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue().fields().forEachRemaining(op -> {
        if (OPERATIONS.contains(op.getKey())) {
          String where = op.getKey() + " " + path.getKey();
          assertFalse(op.getValue().path("operationId").asText().isEmpty(), where);
          boolean success = op.getValue().path("responses").has("200") || op.getValue().path("responses").has("201")
              || op.getValue().path("responses").has("202");
          assertTrue(success, where);
        }
      });
    }
  }

  private static JsonNode servedDocument() throws Exception {
    HttpResponse<String> r = Http.get(engine.apiUrl() + "/openapi.yaml");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"));
    return new ObjectMapper(new YAMLFactory()).readTree(r.body());
  }
}
