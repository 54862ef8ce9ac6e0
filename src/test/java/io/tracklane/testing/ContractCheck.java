package io.tracklane.testing;

import io.tracklane.api.OpenApiDocument;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Checks every API answer a test receives against the OpenAPI document, with Vert.x's own
 * response validator: the status must be declared, and a JSON body must match its schema. Media
 * types the validator does not read (CSV, YAML) are checked to be declared for that status.
 */
public final class ContractCheck {
  private static final String BASE = "/api/v1";
  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static ResponseValidator validator;
  private static JsonObject document;

  private ContractCheck() {
  }

  /** Fails the test with the validator's reason when {@code response} breaks the document. */
  public static void check(String method, URI uri, HttpResponse<String> response) {
    String path = uri.getRawPath();
    int base = path.indexOf(BASE + "/");
    if (base < 0) {
      return;
    }
    init();
    String apiPath = path.substring(base + BASE.length());
    Operation operation = contract.findOperation(path.substring(base), HttpMethod.valueOf(method));
    if (operation == null) {
      // Keys are checked before routing: an unknown path can also be refused as 401 or 429.
      if (!java.util.Set.of(400, 401, 404, 405, 429).contains(response.statusCode())) {
        throw new AssertionError(method + " " + apiPath + " is not in the document but answered "
            + response.statusCode());
      }
      return;
    }
    String type = response.headers().firstValue("Content-Type").orElse("");
    String status = Integer.toString(response.statusCode());
    if (!type.isEmpty() && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      checkDeclared(operation, status, type, response);
      return;
    }
    Map<String, String> headers = new HashMap<>();
    response.headers().map().forEach((k, v) -> headers.put(k, v.get(0)));
    ValidatableResponse answer = response.body().isEmpty()
        ? ValidatableResponse.create(response.statusCode(), headers)
        : ValidatableResponse.create(response.statusCode(), headers, Buffer.buffer(response.body()), type);
    try {
      TestEngine.await(validator.validate(answer, operation.getOperationId()));
    } catch (IllegalStateException e) {
      throw new AssertionError(method + " " + apiPath + " (" + operation.getOperationId() + ") answered "
          + status + " against the OpenAPI document: " + e.getMessage() + "\n" + response.body(), e);
    }
  }

  private static void checkDeclared(Operation operation, String status, String type, HttpResponse<String> response) {
    JsonObject responses = document.getJsonObject("paths").getJsonObject(operation.getOpenAPIPath())
        .getJsonObject(operation.getHttpMethod().name().toLowerCase(Locale.ROOT)).getJsonObject("responses");
    JsonObject declared = responses.getJsonObject(status);
    String mediaType = type.split(";")[0].trim();
    if (declared == null || declared.getJsonObject("content") == null
        || !declared.getJsonObject("content").containsKey(mediaType)) {
      throw new AssertionError(operation.getOperationId() + " answered " + status + " " + mediaType
          + ", which the OpenAPI document does not declare:\n" + response.body());
    }
  }

  private static synchronized void init() {
    if (contract != null) {
      return;
    }
    vertx = Vertx.vertx();
    Buffer raw = OpenApiDocument.read();
    contract = TestEngine.await(OpenApiDocument.contract(vertx, raw));
    validator = ResponseValidator.create(vertx, contract);
    try {
      document = OpenApiDocument.tree(raw);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
