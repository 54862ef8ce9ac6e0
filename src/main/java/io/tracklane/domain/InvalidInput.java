package io.tracklane.domain;

/** Input that breaks a rule of the domain; the HTTP layers answer it with 400 naming the field. */
public class InvalidInput extends RuntimeException {
  private final String field;

  public InvalidInput(String field, String problem) {
    super(field + " " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
