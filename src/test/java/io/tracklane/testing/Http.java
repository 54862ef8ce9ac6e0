package io.tracklane.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;

/** A black-box HTTP client for tests: no redirects followed, JSON helpers, polling. */
public final class Http {
  // HTTP/1.1 only: the h2c upgrade attempt of the JDK client adds nothing here and has hung a test run.
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {
  }

  public static HttpResponse<String> get(String url, String... headers) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET(), headers);
  }

  public static HttpResponse<String> post(String url, String contentType, String body, String... headers) {
    return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body)), headers);
  }

  public static HttpResponse<String> put(String url, String contentType, String body, String... headers) {
    return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
        .PUT(HttpRequest.BodyPublishers.ofString(body)), headers);
  }

  public static HttpResponse<String> delete(String url, String... headers) {
    return send(HttpRequest.newBuilder(URI.create(url)).DELETE(), headers);
  }

  /** The headers that authenticate with an API key as HTTP Basic username and an empty password. */
  public static String[] basic(String key) {
    String token = Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
    return new String[] {"Authorization", "Basic " + token};
  }

  public static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  /** Repeats {@code get} until {@code until} holds, or fails after {@code timeout}. */
  public static HttpResponse<String> poll(Duration timeout, Predicate<HttpResponse<String>> until, String url,
      String... headers) {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> last = null;
    RuntimeException lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        last = get(url, headers);
        if (until.test(last)) {
          return last;
        }
      } catch (IllegalStateException e) {
        lastError = e;
      }
      sleep(100);
    }
    throw new AssertionError("condition not met within " + timeout + "; last answer " + (last == null
        ? String.valueOf(lastError) : last.statusCode() + " " + last.body()));
  }

  /**
   * The status of a GET no well-behaved client would send (bad escapes, huge request lines): the
   * bytes are written on a socket as given.
   */
  public static int rawStatus(int port, String requestLine) {
    return rawStatus(port, requestLine.substring(0, requestLine.indexOf(' ')),
        requestLine.substring(requestLine.indexOf(' ') + 1), null, "");
  }

  /** The same for any method, target, content type (null: none) and body. */
  public static int rawStatus(int port, String method, String target, String contentType, String body) {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    String head = method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
        + (content.length > 0 ? "Content-Length: " + content.length + "\r\n" : "") + "\r\n";
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      var out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.UTF_8));
      try {
        out.write(content);
      } catch (IOException e) {
        // The server may answer (413) and close before reading a large body: the answer is what counts.
      }
      String line = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          StandardCharsets.ISO_8859_1)).readLine();
      return Integer.parseInt(line.split(" ")[1]);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A raw answer: status line code and body, for requests written byte for byte. */
  public record Raw(int status, String body) {
  }

  /**
   * Sends {@code method target} exactly as given (no client normalises {@code ..}, {@code %2e} or
   * {@code //} away), with extra header lines and an optional JSON body.
   */
  public static Raw raw(int port, String method, String target, String body, String... headerLines) {
    StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (String line : headerLines) {
      head.append(line).append("\r\n");
    }
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      head.append("Content-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n");
    }
    head.append("\r\n");
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().write(content);
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(answer.indexOf(' ') + 1, answer.indexOf(' ') + 4));
      int split = answer.indexOf("\r\n\r\n");
      return new Raw(status, split < 0 ? "" : answer.substring(split + 4));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The whole body, except for an endless {@code text/event-stream} (GET /events): its first chunk
   * (the stream's opening block), then the connection is closed, so walks over every operation
   * see the answer without waiting for a stream that never ends.
   */
  private static HttpResponse.BodySubscriber<String> bodyOrStreamStart(HttpResponse.ResponseInfo info) {
    if (!info.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
      return HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
    }
    java.util.concurrent.CompletableFuture<String> first = new java.util.concurrent.CompletableFuture<>();
    return new HttpResponse.BodySubscriber<>() {
      private java.util.concurrent.Flow.Subscription subscription;

      @Override
      public java.util.concurrent.CompletionStage<String> getBody() {
        return first;
      }

      @Override
      public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
        subscription = s;
        s.request(1);
      }

      @Override
      public void onNext(java.util.List<java.nio.ByteBuffer> chunks) {
        StringBuilder text = new StringBuilder();
        chunks.forEach(b -> text.append(StandardCharsets.UTF_8.decode(b)));
        first.complete(text.toString());
        subscription.cancel();
      }

      @Override
      public void onError(Throwable e) {
        first.completeExceptionally(e);
      }

      @Override
      public void onComplete() {
        first.complete("");
      }
    };
  }

  private static HttpResponse<String> send(HttpRequest.Builder builder, String... headers) {
    for (int i = 0; i + 1 < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    HttpRequest request = builder.timeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> response;
    try {
      response = CLIENT.send(request, Http::bodyOrStreamStart);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    ContractCheck.check(request.method(), request.uri(), response);
    return response;
  }
}
