package io.tracklane.http;

import io.netty.handler.codec.DecoderException;
import io.tracklane.domain.Conflict;
import io.tracklane.domain.InvalidInput;
import io.tracklane.domain.NotFound;
import io.tracklane.ops.QuietLog;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.pgclient.PgException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that turns failures into {"error": ...} responses with the right status. */
public final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);
  /** character_not_in_repertoire (a NUL in text) and untranslatable_character. */
  private static final Set<String> UNSTORABLE_TEXT = Set.of("22021", "22P05");
  private static final QuietLog DEPENDENCY_FAILURES = new QuietLog(LOG);

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
    } else if (failure instanceof NotFound e) {
      status = 404;
      message = e.getMessage();
    } else if (failure instanceof Conflict e) {
      status = 409;
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
    } else if (isUndecodableForm(failure)) {
      status = 400;
      message = "the form body is malformed: too many fields, a field too long, or a bad %-escape";
    } else if (failure instanceof PgException e && UNSTORABLE_TEXT.contains(e.getSqlState())) {
      // A NUL (or bytes no encoding holds) that no parameter check caught: the client's text, not our fault.
      status = 400;
      message = "a text value contains a character that cannot be stored (such as NUL)";
      LOG.warn("unstorable text on {} {}: {}", ctx.request().method(), ctx.request().path(), e.getMessage());
    } else if (failure instanceof PgException e && "23505".equals(e.getSqlState())) {
      status = 409;
      message = "already exists";
    } else if (Failures.isUnavailable(failure)) {
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
      DEPENDENCY_FAILURES.warn("requests answered 503 (a dependency is unavailable)", failure);
    }
    respond(ctx.response(), status, message);
  }

  /** Writes {"error": message}; also used for a request refused before any router sees it. */
  static void respond(HttpServerResponse response, int status, String message) {
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

  /**
   * The form decoder under the body handler refusing a body (more fields than the server allows, a
   * field past its size, a bad escape): its failures are Netty decoder exceptions, or a bare
   * IOException thrown from inside the decoder.
   */
  private static boolean isUndecodableForm(Throwable failure) {
    if (failure instanceof DecoderException) {
      return true;
    }
    StackTraceElement[] trace = failure == null ? new StackTraceElement[0] : failure.getStackTrace();
    return failure instanceof java.io.IOException && trace.length > 0
        && trace[0].getClassName().startsWith("io.netty.handler.codec.http.multipart.");
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
