package io.tracklane.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Style;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import io.vertx.openapi.validation.transformer.FormTransformer;
import io.vertx.openapi.validation.transformer.LabelTransformer;
import io.vertx.openapi.validation.transformer.MatrixTransformer;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import io.vertx.openapi.validation.transformer.SimpleTransformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The contract's request checks, run on the event loop with every parameter's schema validator
 * built once, at start.
 *
 * <p>vertx-openapi 5.0.8's {@code RequestValidator} hands each request to {@code executeBlocking}
 * (a worker hop, ordered per context) and builds a new schema validator for every parameter of every
 * request, copying the whole schema repository each time: on a cached stats answer that was most
 * of the request's time. The checks here are the library's own (its parameter transformers, the
 * document's schemas, its exceptions, so the failure handler's 400s are unchanged); request bodies
 * go through the library's {@code validateBody}, synchronously.
 *
 * <p>Values are decoded exactly once: the library's own extractor URL-decodes values Vert.x Web has
 * already decoded, so a {@code +} in a date-time offset turned into a space and a literal {@code %}
 * failed the request.
 */
final class ContractRequests {
  private static final Map<Style, ParameterTransformer> TRANSFORMERS = Map.of(Style.SIMPLE, new SimpleTransformer(),
      Style.LABEL, new LabelTransformer(), Style.MATRIX, new MatrixTransformer(), Style.FORM, new FormTransformer());

  private record Check(Parameter parameter, ParameterTransformer transformer, Validator schema) {
  }

  private final RequestValidatorImpl bodies;
  private final Map<String, List<Check>> checks = new HashMap<>();

  ContractRequests(Vertx vertx, OpenAPIContract contract) {
    this.bodies = new RequestValidatorImpl(vertx, contract);
    for (Operation operation : contract.operations()) {
      List<Check> list = new ArrayList<>();
      for (Parameter p : operation.getParameters()) {
        list.add(new Check(p, TRANSFORMERS.get(p.getStyle()), contract.getSchemaRepository().validator(p.getSchema())));
      }
      checks.put(operation.getOperationId(), List.copyOf(list));
    }
  }

  /** Checks the request against its operation; throws the library's {@link ValidatorException} when it does not hold. */
  void validate(RoutingContext ctx, Operation operation) {
    for (Check check : checks.get(operation.getOperationId())) {
      Parameter p = check.parameter();
      RequestParameter value = switch (p.getIn()) {
        case PATH -> new RequestParameterImpl(ctx.pathParam(p.getName()));
        case HEADER -> new RequestParameterImpl(ctx.request().getHeader(p.getName()));
        case QUERY -> queryValue(ctx.queryParam(p.getName()), p);
        default -> new RequestParameterImpl(null);
      };
      validate(check, value);
    }
    if (operation.getRequestBody() != null) {
      ValidatableRequest request = new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), Map.of(),
          new RequestParameterImpl(ctx.body().buffer()), ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
      bodies.validateBody(operation.getRequestBody(), request);
    }
  }

  /** What the library's {@code validateParameter} does, with the validator built at start. */
  private static void validate(Check check, RequestParameter value) {
    Parameter p = check.parameter();
    if (value.isNull()) {
      if (p.isRequired()) {
        throw ValidatorException.createMissingRequiredParameter(p);
      }
      return;
    }
    if (check.transformer() == null) {
      throw ValidatorException.createUnsupportedValueFormat(p);
    }
    Object transformed = check.transformer().transform(p, String.valueOf(value.get()));
    OutputUnit result = check.schema().validate(transformed);
    try {
      result.checkValidity();
    } catch (JsonSchemaValidationException e) {
      throw SchemaValidationException.createErrorFromOutputUnitType(p, result, e);
    }
  }

  /** The form style the validator expects: an exploded array as name=a&name=b, anything else as given. */
  private static RequestParameter queryValue(List<String> values, Parameter p) {
    if (values.isEmpty()) {
      return new RequestParameterImpl(null);
    }
    if (p.getSchemaType() == SchemaType.ARRAY && p.isExplode()) {
      return new RequestParameterImpl(values.stream().map(v -> p.getName() + "=" + v).collect(Collectors.joining("&")));
    }
    return new RequestParameterImpl(values.get(0));
  }
}
