package io.tracklane.domain;

/** How a customer's e-mail address is shown to an affiliate: enough to recognise, not to contact. */
public final class Emails {
  private Emails() {
  }

  /**
   * {@code jane@example.com} as {@code j***@example.com}: the first character of the local part and
   * the whole domain. Null stays null; a value that is no address at all is {@code ***}.
   */
  public static String mask(String email) {
    if (email == null) {
      return null;
    }
    int at = email.lastIndexOf('@');
    if (at < 1 || at == email.length() - 1) {
      return "***";
    }
    return email.charAt(0) + "***" + email.substring(at);
  }
}
