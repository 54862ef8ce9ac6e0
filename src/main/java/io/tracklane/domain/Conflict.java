package io.tracklane.domain;

/** A change the current state does not allow (a move, a repeat); the HTTP layers answer 409. */
public class Conflict extends RuntimeException {
  public Conflict(String message) {
    super(message, null, false, false);
  }
}
