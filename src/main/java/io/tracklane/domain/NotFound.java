package io.tracklane.domain;

/** Something the caller named does not exist in its program; the HTTP layers answer 404. */
public class NotFound extends RuntimeException {
  public NotFound(String message) {
    super(message, null, false, false);
  }
}
