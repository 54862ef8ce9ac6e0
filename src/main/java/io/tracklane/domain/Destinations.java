package io.tracklane.domain;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Builds the redirect target from a stored URL: macros such as {click_id} are replaced with
 * URL-encoded values; a URL without {click_id} gets click_id appended as a query parameter.
 */
public final class Destinations {
  public static final String CLICK_ID = "click_id";

  private Destinations() {
  }

  /**
   * @param storedUrl the link's or campaign's URL, from configuration only
   * @param values macro values by name (click_id, affiliate_id, campaign_id, sub1..sub5, source); null values become empty
   */
  public static String build(String storedUrl, Map<String, String> values) {
    boolean hasClickMacro = storedUrl.contains("{click_id}");
    String url = storedUrl;
    if (url.indexOf('{') >= 0) {
      for (Map.Entry<String, String> macro : values.entrySet()) {
        url = url.replace("{" + macro.getKey() + "}", encode(macro.getValue()));
      }
    }
    if (hasClickMacro) {
      return url;
    }
    int hash = url.indexOf('#');
    String fragment = hash >= 0 ? url.substring(hash) : "";
    String base = hash >= 0 ? url.substring(0, hash) : url;
    String separator = base.indexOf('?') >= 0 ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?";
    return base + separator + CLICK_ID + "=" + encode(values.get(CLICK_ID)) + fragment;
  }

  private static String encode(String value) {
    return value == null ? "" : URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
