package io.tracklane.http;

/** A failure that maps to one HTTP status; the failure handler writes it as {"error": message}. */
public class HttpError extends RuntimeException {
  private final int status;

  public HttpError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static HttpError badRequest(String message) {
    return new HttpError(400, message);
  }

  public static HttpError unauthorized(String message) {
    return new HttpError(401, message);
  }

  public static HttpError forbidden(String message) {
    return new HttpError(403, message);
  }

  public static HttpError notFound(String message) {
    return new HttpError(404, message);
  }

  public static HttpError conflict(String message) {
    return new HttpError(409, message);
  }

  public static HttpError tooManyRequests(String message) {
    return new HttpError(429, message);
  }

  public static HttpError unavailable(String message) {
    return new HttpError(503, message);
  }
}
