package io.tracklane.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.IDN;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the redirect target from a stored URL: macros such as {click_id} are replaced with
 * URL-encoded values; a URL without {click_id} gets click_id appended as a query parameter.
 * Macros are substituted only after the host, so no value can change where the browser goes. The
 * edge checks a stored URL once and fills it per click ({@link DestinationTemplate}).
 */
public final class Destinations {
  public static final String CLICK_ID = "click_id";
  /** Far below browser limits, far above any real landing page with its tracking parameters. */
  public static final int MAX_LOCATION_LENGTH = 8192;
  private static final Pattern MACRO = Pattern.compile(
      "\\{(click_id|affiliate_id|campaign_id|sub[1-5]|source)\\}");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern TOP_LABEL = Pattern.compile("[a-z]{2,63}|xn--[a-z0-9-]{1,59}");
  /**
   * Suffixes of more than one label under which anyone can register a name (a small built-in
   * list, not the whole Public Suffix List): allowing {@code co.uk} or {@code github.io} would
   * allow every site under it. Single-label suffixes (com, de...) are refused by the two-label rule.
   */
  private static final Set<String> PUBLIC_SUFFIXES = Set.of(
      "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk", "ac.uk", "gov.uk",
      "com.au", "net.au", "org.au", "edu.au", "gov.au", "co.nz", "net.nz", "org.nz",
      "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "co.kr", "or.kr", "com.cn", "net.cn", "org.cn",
      "com.hk", "com.tw", "com.sg", "com.my", "co.id", "co.in", "net.in", "org.in", "co.il", "co.th",
      "com.br", "net.br", "org.br", "com.ar", "com.mx", "com.co", "com.pe", "com.tr", "co.za", "com.ng",
      "com.ua", "com.pl", "com.es", "com.pt", "com.ph", "com.vn", "com.eg", "com.sa",
      "github.io", "gitlab.io", "herokuapp.com", "appspot.com", "blogspot.com", "netlify.app", "vercel.app",
      "pages.dev", "workers.dev", "web.app", "firebaseapp.com", "azurewebsites.net", "cloudfront.net",
      "s3.amazonaws.com", "myshopify.com", "wixsite.com", "wordpress.com", "ngrok.io", "ngrok-free.app");

  private Destinations() {
  }

  /**
   * The redirect target, or null when the result would not be a safe absolute http(s) URL.
   *
   * @param storedUrl the link's or campaign's URL, from configuration only
   * @param values macro values by name (click_id, affiliate_id, campaign_id, sub1..sub5, source); null values become empty
   */
  public static String build(String storedUrl, Map<String, String> values) {
    return DestinationTemplate.of(storedUrl).fill(values);
  }

  /**
   * An absolute http(s) URL with a host and no user info, free of control characters, spaces and
   * backslashes (which some browsers read as '/'): safe to put in a Location header.
   */
  public static boolean isSafeUrl(String value) {
    if (value == null || value.chars().anyMatch(c -> c < 0x21 || c == '\\' || c == 0x7f)) {
      return false;
    }
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme();
      return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
          && uri.getHost() != null && uri.getRawUserInfo() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** A URL that may be stored as a destination: safe once its macros are filled, none of them in the host. */
  public static boolean isSafeTemplate(String value) {
    if (value == null) {
      return false;
    }
    int pathStart = pathStart(value);
    if (pathStart < 0 || value.substring(0, pathStart).indexOf('{') >= 0) {
      return false;
    }
    return isSafeUrl(MACRO.matcher(value).replaceAll("m"));
  }

  /** The host a safe template leads to, lower-cased. */
  public static String host(String safeTemplate) {
    return URI.create(MACRO.matcher(safeTemplate).replaceAll("m")).getHost().toLowerCase(Locale.ROOT);
  }

  /**
   * An entry of a campaign's allowed domains, normalized (lower case, punycode), or an
   * {@link InvalidInput} naming the field: a registrable domain name of two labels at least, no
   * wildcard, no IP address, not a public suffix (com, co.uk). Subdomains of it are allowed too.
   */
  public static String allowedDomain(String field, String value) {
    String domain = normalizedDomain(value);
    if (domain == null) {
      throw new InvalidInput(field, "entries must be registrable domain names like shop.example (two labels at"
          + " least, no wildcard, no scheme or path, not a public suffix such as com or co.uk)");
    }
    return domain;
  }

  /**
   * Whether a link's own destination may be used for its campaign: on the landing page's host or
   * under one of the allowed domains. Checked when the link is saved and again at every redirect,
   * so a domain removed from the list stops receiving traffic; entries that are not registrable
   * domains (stored before the rule) allow nothing.
   */
  public static boolean isAllowedDestination(String destination, String landingPageUrl,
      Collection<String> allowedDomains) {
    if (!isSafeTemplate(destination)) {
      return false;
    }
    String host = host(destination);
    if (isSafeTemplate(landingPageUrl) && host.equals(host(landingPageUrl))) {
      return true;
    }
    return allowedDomains.stream().map(Destinations::normalizedDomain)
        .anyMatch(d -> d != null && (host.equals(d) || host.endsWith("." + d)));
  }

  private static String normalizedDomain(String value) {
    if (value == null || value.length() > 253) {
      return null;
    }
    String domain;
    try {
      domain = IDN.toASCII(value.trim(), IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return null;
    }
    String[] labels = domain.split("\\.", -1);
    if (labels.length < 2 || PUBLIC_SUFFIXES.contains(domain)
        || !TOP_LABEL.matcher(labels[labels.length - 1]).matches()) {
      return null;
    }
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        return null;
      }
    }
    return domain;
  }

  /** Where the path starts (after scheme://authority), or -1 when there is no scheme://authority. */
  private static int pathStart(String url) {
    int scheme = url.indexOf("://");
    if (scheme <= 0) {
      return -1;
    }
    int from = scheme + 3;
    for (int i = from; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c == '/' || c == '?' || c == '#') {
        return i;
      }
    }
    return url.length();
  }

}
