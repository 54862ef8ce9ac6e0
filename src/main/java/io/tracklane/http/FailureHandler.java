package io.tracklane.http;

import io.tracklane.domain.InvalidInput;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.pgclient.PgException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that turns failures into {"error": ...} responses with the right status. */
public final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

  @Override
  public void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status;
    String message;
    if (failure instanceof HttpError e) {
      status = e.status();
      message = e.getMessage();
    } else if (failure instanceof InvalidInput e) {
      status = 400;
      message = e.getMessage();
    } else if (failure instanceof HttpException e) {
      // Vert.x Web's own refusals: a malformed query string (400), a body over the limit (413)...
      status = e.getStatusCode() >= 500 ? 500 : e.getStatusCode();
      message = e.getPayload() != null ? e.getPayload() : statusMessage(status);
    } else if (failure instanceof ValidatorException e) {
      status = RequestProblems.status(e);
      message = RequestProblems.describe(e);
    } else if (failure instanceof DecodeException) {
      status = 400;
      message = "body is not valid JSON";
    } else if (failure instanceof PgException e && "23505".equals(e.getSqlState())) {
      status = 409;
      message = "already exists";
    } else if (failure instanceof TimeoutException || isConnectionFailure(failure)) {
      status = 503;
      message = "a dependency is unavailable, retry later";
    } else if (failure == null) {
      status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      message = statusMessage(status);
    } else {
      status = 500;
      message = "internal error";
      LOG.error("unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
    }
    if (status == 503 && failure != null && !(failure instanceof HttpError)) {
      LOG.warn("dependency failure on {}: {}", ctx.request().path(), failure.toString());
    }
    HttpServerResponse response = ctx.response();
    if (response.ended()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    if (status == 503) {
      response.putHeader("Retry-After", "2");
    }
    response.setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }

  private static boolean isConnectionFailure(Throwable failure) {
    return failure instanceof java.net.ConnectException
        || failure instanceof io.vertx.core.VertxException && String.valueOf(failure.getMessage()).contains("onnection")
        || failure instanceof org.apache.kafka.common.errors.TimeoutException;
  }

  private static String statusMessage(int status) {
    return switch (status) {
      case 400 -> "bad request";
      case 404 -> "not found";
      case 405 -> "method not allowed";
      case 413 -> "request body too large";
      case 414 -> "request URI too long";
      case 415 -> "unsupported content type";
      default -> "request failed";
    };
  }
}
