package io.tracklane.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Hands a request to the OpenAPI validator with each value decoded exactly once. vertx-openapi
 * 5.0.8's own extractor URL-decodes values Vert.x Web has already decoded, so a `+` in a
 * date-time offset turned into a space and a literal `%` failed the request.
 */
final class ContractRequests {
  private ContractRequests() {
  }

  static Future<ValidatableRequest> of(RoutingContext ctx, Operation operation) {
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    for (Parameter p : operation.getParameters()) {
      switch (p.getIn()) {
        case PATH -> path.put(p.getName(), new RequestParameterImpl(ctx.pathParam(p.getName())));
        case HEADER -> headers.put(p.getName(), new RequestParameterImpl(ctx.request().getHeader(p.getName())));
        case QUERY -> query.put(p.getName(), queryValue(ctx.queryParam(p.getName()), p));
        default -> { }
      }
    }
    if (operation.getRequestBody() == null) {
      return Future.succeededFuture(new ValidatableRequestImpl(Map.of(), headers, path, query));
    }
    RequestParameter body = new RequestParameterImpl(ctx.body().buffer());
    return Future.succeededFuture(new ValidatableRequestImpl(Map.of(), headers, path, query, body,
        ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)));
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
