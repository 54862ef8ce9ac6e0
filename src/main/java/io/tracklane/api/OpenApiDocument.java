package io.tracklane.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The API's OpenAPI document, shipped in the jar: served as is, and the contract routes are built from. */
public final class OpenApiDocument {
  private static final String RESOURCE = "/openapi.yaml";

  private OpenApiDocument() {
  }

  /** The document's bytes as shipped. */
  public static Buffer read() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the jar has no " + RESOURCE);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The document as JSON, exactly as served. */
  @SuppressWarnings("unchecked")
  public static JsonObject tree(Buffer document) throws IOException {
    return new JsonObject(new ObjectMapper(new YAMLFactory()).readValue(document.getBytes(), Map.class));
  }

  /**
   * Vert.x's contract refuses response media types it cannot validate (YAML, CSV). It is given
   * requests to validate, never our answers, so those media types are left out of its copy; the
   * served document keeps them.
   */
  private static void withoutUnsupportedAnswers(JsonObject document) {
    JsonObject paths = document.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        JsonObject responses = item.getValue(method) instanceof JsonObject op ? op.getJsonObject("responses") : null;
        if (responses == null) {
          continue;
        }
        for (String status : responses.fieldNames()) {
          JsonObject content = responses.getJsonObject(status).getJsonObject("content");
          if (content != null) {
            content.fieldNames().removeIf(type -> !MediaType.isMediaTypeSupported(type));
          }
        }
      }
    }
  }

  /** The validator nests its findings; the innermost names the place in the document. */
  private static String innermost(Throwable e) {
    StringBuilder trail = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().startsWith("Property")) {
        trail.append(trail.length() == 0 ? "" : " > ").append(t.getMessage());
      }
    }
    return trail.length() == 0 ? String.valueOf(e.getMessage()) : trail.toString();
  }

  /** The parsed and checked contract; fails if the document is not a valid OpenAPI document. */
  public static Future<OpenAPIContract> contract(Vertx vertx, Buffer document) {
    try {
      JsonObject json = tree(document);
      withoutUnsupportedAnswers(json);
      return OpenAPIContract.from(vertx, json).recover(e -> Future.failedFuture(
          new IllegalStateException("openapi.yaml is not a valid OpenAPI document: " + innermost(e), e)));
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
  }
}
