package io.tracklane.http;

import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns a request that breaks the OpenAPI document into a message naming the field at fault. */
final class RequestProblems {
  private static final String ADDITIONAL = "additionalProperties";
  /** Keywords that only gather the errors of their subschemas. */
  private static final java.util.Set<String> CONTAINERS = java.util.Set.of("allOf", "anyOf", "oneOf", "$ref",
      "properties", "items", "then", "else", ADDITIONAL);
  private static final Pattern PARAMETER = Pattern.compile("(query|path|header|cookie) parameter (\\S+)");

  private RequestProblems() {
  }

  /** 415 for a body in a media type the operation does not take, else 400. */
  static int status(ValidatorException e) {
    boolean body = String.valueOf(e.getMessage()).contains("request body");
    return e.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT && body ? 415 : 400;
  }

  static String describe(ValidatorException e) {
    String message = String.valueOf(e.getMessage());
    if (!(e instanceof SchemaValidationException s) || s.getOutputUnit() == null) {
      if (status(e) == 415) {
        return "the request body must be application/json";
      }
      return message.contains("body can't be decoded") ? "body is not valid JSON" : message;
    }
    List<OutputUnit> errors = new ArrayList<>();
    collect(s.getOutputUnit(), errors);
    // The validator also reports a known property that fails its own schema under
    // additionalProperties; a property with nothing but that error is really unknown.
    OutputUnit specific = errors.stream().filter(u -> !CONTAINERS.contains(lastSegment(keyword(u))))
        .max(Comparator.comparingInt(u -> keyword(u).split("/").length)).orElse(null);
    Matcher parameter = PARAMETER.matcher(message);
    String subject = parameter.find() ? parameter.group(2) : "body";
    if (specific != null) {
      String field = field(specific);
      return (field.isEmpty() ? subject : subject + "." + field) + ": " + specific.getError();
    }
    OutputUnit unknown = errors.stream().filter(u -> keyword(u).endsWith(ADDITIONAL)).findFirst().orElse(null);
    if (unknown != null) {
      return "unknown field: " + field(unknown);
    }
    return message;
  }

  private static void collect(OutputUnit unit, List<OutputUnit> out) {
    if (unit.getError() != null) {
      out.add(unit);
    }
    if (unit.getErrors() != null) {
      unit.getErrors().forEach(child -> collect(child, out));
    }
  }

  private static String keyword(OutputUnit unit) {
    return unit.getKeywordLocation() == null ? "" : unit.getKeywordLocation();
  }

  private static String lastSegment(String keyword) {
    return keyword.substring(keyword.lastIndexOf('/') + 1);
  }

  private static String field(OutputUnit unit) {
    String at = unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation().replaceFirst("^#?/?", "");
    return at.replace('/', '.');
  }
}
