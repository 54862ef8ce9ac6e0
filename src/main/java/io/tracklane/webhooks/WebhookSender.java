package io.tracklane.webhooks;

import io.tracklane.config.AppConfig.WebhooksConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One attempt of a partner postback: connects to the address {@link Destination} checked (never
 * resolving the host again; the Host header and TLS SNI still name the host), does not follow
 * redirects, reads at most {@code response_body_limit_bytes} of the answer, and gives up after
 * {@code timeout_ms} in all.
 */
public final class WebhookSender {
  /** What an attempt gave: the status (null without an answer), the body read, or the error. */
  public record Outcome(Integer status, String body, String error, long latencyMs) {
    public boolean delivered() {
      return status != null && status >= 200 && status < 300;
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final WebhooksConfig config;

  public WebhookSender(Vertx vertx, WebhooksConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout(config.timeoutMs())
        .setForceSni(true)
        .setKeepAlive(true)
        .setMaxRedirects(0));
  }

  public Future<Outcome> send(String url, HttpMethod method, MultiMap headers, String body) {
    long started = System.nanoTime();
    return Destination.resolve(vertx, url, config).compose(dest -> attempt(dest, method, headers, body, started))
        .recover(e -> Future.succeededFuture(new Outcome(null, null, message(e), elapsed(started))));
  }

  private Future<Outcome> attempt(Destination dest, HttpMethod method, MultiMap headers, String body, long started) {
    Promise<Outcome> done = Promise.promise();
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(dest.address(), dest.port())))
        .setHost(dest.host())
        .setPort(dest.port())
        .setSsl(dest.ssl())
        .setURI(dest.requestUri())
        .setFollowRedirects(false)
        .setConnectTimeout(config.timeoutMs())
        .setHeaders(headers);
    long timer = vertx.setTimer(Math.max(1, config.timeoutMs() - elapsed(started)), id ->
        done.tryComplete(new Outcome(null, null, "timed out after " + config.timeoutMs() + " ms", elapsed(started))));
    int limit = config.responseBodyLimitBytes();
    client.request(options).compose(request -> {
      done.future().onComplete(r -> {
        if (r.result() != null && r.result().status() == null) {
          request.reset(); // timed out: drop the connection instead of waiting on it
        }
      });
      Future<io.vertx.core.http.HttpClientResponse> answered = body == null ? request.send()
          : request.send(Buffer.buffer(body, StandardCharsets.UTF_8.name()));
      return answered.onSuccess(response -> {
        Buffer read = Buffer.buffer();
        response.handler(chunk -> {
          if (read.length() < limit) {
            read.appendBuffer(chunk.length() > limit - read.length() ? chunk.slice(0, limit - read.length()) : chunk);
          }
          if (read.length() >= limit) {
            // The rest is not read: the answer is capped, and the connection is not reused.
            done.tryComplete(new Outcome(response.statusCode(), read.toString(StandardCharsets.UTF_8), null,
                elapsed(started)));
            request.reset();
          }
        });
        response.endHandler(v -> done.tryComplete(new Outcome(response.statusCode(),
            read.toString(StandardCharsets.UTF_8), null, elapsed(started))));
        response.exceptionHandler(e -> done.tryComplete(new Outcome(response.statusCode(),
            read.toString(StandardCharsets.UTF_8), null, elapsed(started))));
      });
    }).onFailure(e -> done.tryComplete(new Outcome(null, null, message(e), elapsed(started))));
    return done.future().onComplete(r -> vertx.cancelTimer(timer));
  }

  private static String message(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.length() > 500 ? m.substring(0, 500) : m;
  }

  private static long elapsed(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  public Future<Void> close() {
    return client.close();
  }
}
