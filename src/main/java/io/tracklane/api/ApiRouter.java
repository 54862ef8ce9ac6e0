package io.tracklane.api;

import io.tracklane.http.FailureHandler;
import io.tracklane.http.HttpError;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the API's router from its OpenAPI document: one route per documented operation, and on
 * each, in order: authorization from {@link AccessTable} for that operation, validation of the
 * request against the document, then the operation's handler. The key is authenticated once
 * before routing; what a key may do is decided only on the route that matched.
 */
public final class ApiRouter {
  /** The route metadata naming the operation a route serves. */
  public static final String OPERATION = "tracklane.operation";

  private ApiRouter() {
  }

  /** The whole API with /api/v1 mounted on the root, and the one failure handler. */
  public static Router create(Vertx vertx, OpenAPIContract contract, Operations operations,
      Handler<RoutingContext> authentication, long bodyLimitBytes) {
    Set<String> drift = drift(contract, operations);
    if (!drift.isEmpty()) {
      throw new IllegalStateException("the OpenAPI document, the handlers and the access table disagree: " + drift);
    }
    Router api = Router.router(vertx);
    api.route().handler(BodyHandler.create(false).setBodyLimit(bodyLimitBytes));
    api.route().handler(authentication);
    ContractRequests validator = new ContractRequests(vertx, contract);
    for (Path path : contract.getPaths()) {
      for (Operation operation : path.getOperations()) {
        String id = operation.getOperationId();
        Handler<RoutingContext> handler = operations.handler(id);
        api.route(operation.getHttpMethod(), path.getName().replaceAll("\\{([^}]+)}", ":$1"))
            .putMetadata(OPERATION, id)
            .handler(authorize(id, AccessTable.rule(id)))
            .handler(validate(validator, operation))
            .handler(handler != null ? handler : ctx -> ctx.fail(new HttpError(501, "Not implemented.")));
      }
    }
    api.route().handler(ctx -> ctx.fail(HttpError.notFound("No such endpoint.")));

    Router root = Router.router(vertx);
    root.route("/api/v1/*").subRouter(api);
    root.route().failureHandler(new FailureHandler());
    root.route().handler(ctx -> ctx.fail(HttpError.notFound("No such endpoint.")));
    return root;
  }

  /**
   * What keeps the three from drifting apart: handlers or table rows for operations the document
   * does not have. (Documented operations without a handler answer 501; without a row, 403.)
   */
  static Set<String> drift(OpenAPIContract contract, Operations operations) {
    Set<String> documented = new TreeSet<>();
    contract.operations().forEach(op -> documented.add(op.getOperationId()));
    Set<String> drift = new TreeSet<>();
    operations.ids().stream().filter(id -> !documented.contains(id)).forEach(id -> drift.add("handler " + id));
    AccessTable.operations().stream().filter(id -> !documented.contains(id)).forEach(id -> drift.add("row " + id));
    return drift;
  }

  private static Handler<RoutingContext> authorize(String operationId, AccessTable.Rule rule) {
    return ctx -> {
      Principal principal = AuthHandler.principal(ctx);
      if (rule == null) {
        ctx.fail(HttpError.forbidden("No key may call this operation."));
      } else if (!rule.needsKey()) {
        ctx.next();
      } else if (principal == null) {
        ctx.fail(HttpError.unauthorized("missing or invalid API key"));
      } else if (!rule.allows(principal.caller())) {
        ctx.fail(HttpError.forbidden(refusal(principal.caller(), operationId)));
      } else {
        ctx.next();
      }
    };
  }

  private static String refusal(AccessTable.Caller caller, String operationId) {
    return switch (caller) {
      case AFFILIATE -> "An affiliate key cannot call " + operationId + ".";
      case REPORTING -> "A reporting key cannot call " + operationId + ".";
      default -> "This key's role cannot call " + operationId + ".";
    };
  }

  private static Handler<RoutingContext> validate(ContractRequests validator, Operation operation) {
    return ctx -> {
      try {
        validator.validate(ctx, operation);
      } catch (RuntimeException e) {   // ValidatorException, or a body that is not JSON at all
        ctx.fail(e);
        return;
      }
      ctx.next();
    };
  }
}
