package io.tracklane.domain;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stored destination URL checked once and split at its macros, so a redirect only fills them in:
 * no URL parse per click. The check is {@link Destinations#isSafeTemplate}: an absolute http(s) URL
 * with a host, no user info, no control characters, and no macro before its path. Every value is
 * URL-encoded ({@link URLEncoder}: letters, digits, {@code . - * _ +} and {@code %XX} only), so no
 * value can add a character the check would refuse or one that changes the URL's structure (no
 * {@code / ? # @ \} or control character): the filled URL is as safe as the template, and only its
 * length is checked per click. Without a {@code {click_id}} macro, click_id is appended to the
 * query, before the fragment.
 */
public final class DestinationTemplate {
  private static final Pattern MACRO = Pattern.compile("\\{(click_id|affiliate_id|campaign_id|sub[1-5]|source)\\}");
  /** A template that leads nowhere: every fill is null. */
  private static final DestinationTemplate UNSAFE = new DestinationTemplate(null, null, null, false, false);

  /** Literal text and macro names alternating, from the start of the URL to the fragment (excluded). */
  private final Part[] base;
  /** The same for the fragment, with its '#', when click_id is appended; empty otherwise. */
  private final Part[] fragment;
  private final String stored;
  private final boolean appendClickId;
  /** Whether the base has a query already (a literal '?': values never hold one). */
  private final boolean hasQuery;

  private record Part(String literal, String macro) {
  }

  private DestinationTemplate(String stored, Part[] base, Part[] fragment, boolean appendClickId,
      boolean hasQuery) {
    this.stored = stored;
    this.base = base;
    this.fragment = fragment;
    this.appendClickId = appendClickId;
    this.hasQuery = hasQuery;
  }

  /** The template of a stored URL; one that is not a safe template fills to null. */
  public static DestinationTemplate of(String storedUrl) {
    if (!Destinations.isSafeTemplate(storedUrl)) {
      return UNSAFE;
    }
    boolean appendClickId = !storedUrl.contains("{" + Destinations.CLICK_ID + "}");
    int hash = appendClickId ? storedUrl.indexOf('#') : -1;
    String base = hash >= 0 ? storedUrl.substring(0, hash) : storedUrl;
    String fragment = hash >= 0 ? storedUrl.substring(hash) : "";
    return new DestinationTemplate(storedUrl, parts(base), parts(fragment), appendClickId, base.indexOf('?') >= 0);
  }

  /** Whether fills lead anywhere (the stored URL was a safe template). */
  public boolean isSafe() {
    return stored != null;
  }

  /**
   * The redirect target with {@code values} filled in (null values become empty), or null when the
   * template is not safe or the result is longer than {@link Destinations#MAX_LOCATION_LENGTH}.
   */
  public String fill(Map<String, String> values) {
    if (stored == null) {
      return null;
    }
    StringBuilder url = new StringBuilder(stored.length() + 64);
    append(url, base, values);
    if (appendClickId) {
      char last = url.charAt(url.length() - 1);
      url.append(!hasQuery ? "?" : last == '?' || last == '&' ? "" : "&")
          .append(Destinations.CLICK_ID).append('=').append(encode(values.get(Destinations.CLICK_ID)));
      append(url, fragment, values);
    }
    return url.length() <= Destinations.MAX_LOCATION_LENGTH ? url.toString() : null;
  }

  private static void append(StringBuilder url, Part[] parts, Map<String, String> values) {
    for (Part part : parts) {
      url.append(part.macro() == null ? part.literal() : encode(values.get(part.macro())));
    }
  }

  private static Part[] parts(String template) {
    List<Part> parts = new ArrayList<>();
    Matcher m = MACRO.matcher(template);
    int from = 0;
    while (m.find()) {
      if (m.start() > from) {
        parts.add(new Part(template.substring(from, m.start()), null));
      }
      parts.add(new Part(null, m.group(1)));
      from = m.end();
    }
    if (from < template.length()) {
      parts.add(new Part(template.substring(from), null));
    }
    return parts.toArray(new Part[0]);
  }

  private static String encode(String value) {
    return value == null ? "" : URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
