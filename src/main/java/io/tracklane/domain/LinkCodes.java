package io.tracklane.domain;

import java.util.regex.Pattern;

/**
 * The syntax of a tracking link's code: the API saves only such codes, and the edge refuses any
 * other before looking it up (a NUL in a code would otherwise reach PostgreSQL, which refuses it).
 */
public final class LinkCodes {
  private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_-]{3,64}");

  private LinkCodes() {
  }

  /** Whether {@code code} is 3 to 64 letters, digits, '-' or '_'. */
  public static boolean isValid(String code) {
    return code != null && CODE.matcher(code).matches();
  }
}
