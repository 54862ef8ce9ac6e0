package io.tracklane.domain;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The macros of a GET partner postback URL: {@code {click_id}} and the others are replaced by the
 * event's values, URL-encoded (form encoding, a space as {@code %20}); a macro without a value
 * becomes the empty string. Braces that name no macro are left as they are.
 */
public final class PostbackMacros {
  public static final List<String> NAMES = List.of("click_id", "transaction_id", "amount", "currency",
      "commission", "sub1", "sub2", "sub3", "sub4", "sub5", "source", "affiliate_id", "campaign_id", "event");
  private static final Pattern MACRO = Pattern.compile("\\{([a-z0-9_]+)}");

  private PostbackMacros() {
  }

  public static String render(String template, Map<String, String> values) {
    Matcher m = MACRO.matcher(template);
    StringBuilder out = new StringBuilder(template.length() + 64);
    while (m.find()) {
      String name = m.group(1);
      String replacement;
      if (NAMES.contains(name)) {
        String value = values.get(name);
        replacement = value == null ? "" : encode(value);
      } else {
        replacement = m.group();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The {name} macros of a template that are not among {@link #NAMES}, in order. */
  public static List<String> unknown(String template) {
    Matcher m = MACRO.matcher(template);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      if (!NAMES.contains(m.group(1))) {
        out.add(m.group());
      }
    }
    return out;
  }

  /** A value as a URL component: UTF-8, every reserved character escaped, a space as %20. */
  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** An amount in minor units as the exact decimal in major units ("49.90" for 4990 EUR), never a double. */
  public static String amount(Long minor, String currency) {
    return minor == null || currency == null ? null : Money.of(minor, currency).toDecimalString();
  }
}
