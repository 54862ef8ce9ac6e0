package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

/**
 * A template checked once and filled per click gives exactly what checking every filled URL gave:
 * the reference below is the redirect's former per-click algorithm (fill, then parse the result
 * with java.net.URI and compare its origin), run on arbitrary stored URLs and hostile values.
 */
class DestinationTemplateTest {
  private static final Pattern MACRO = Pattern.compile("\\{(click_id|affiliate_id|campaign_id|sub[1-5]|source)\\}");

  @Property(tries = 20000)
  void fillingACheckedTemplateEqualsCheckingEveryFilledUrl(@ForAll("storedUrls") String stored,
      @ForAll("values") String sub1, @ForAll("values") String source) {
    Map<String, String> values = new HashMap<>();
    values.put("click_id", "ck_1.A-b");
    values.put("affiliate_id", "7");
    values.put("campaign_id", "3");
    values.put("sub1", sub1);
    values.put("source", source);
    assertEquals(reference(stored, values), DestinationTemplate.of(stored).fill(values), stored);
  }

  @Example
  void aLinkLeadsToItsDestinationOnlyWhileTheCampaignAllowsIt() {
    Map<String, String> values = Map.of("click_id", "c1");
    LinkDestinations allowed = LinkDestinations.of("https://deals.shop.example/x", "https://shop.example/land",
        List.of("shop.example"), "https://shop.example/fallback");
    assertEquals("https://deals.shop.example/x?click_id=c1", allowed.credited().fill(values));
    assertEquals("https://shop.example/land?click_id=c1", allowed.landingPage().fill(values));
    assertEquals("https://shop.example/fallback", allowed.fallbackUrl());

    LinkDestinations removed = LinkDestinations.of("https://deals.other.example/x", "https://shop.example/land",
        List.of("shop.example"), "javascript:alert(1)");
    assertSame(removed.landingPage(), removed.credited(), "a destination its campaign no longer allows");
    assertNull(removed.fallbackUrl(), "an unsafe fallback is never used");
  }

  @Provide
  Arbitrary<String> storedUrls() {
    Arbitrary<String> scheme = Arbitraries.of("https://", "http://", "HTTPS://", "ftp://", "//", "", "javascript:");
    Arbitrary<String> host = Arbitraries.of("shop.example", "a.b.example", "u@shop.example", "{sub1}",
        "shop.example:8080", "", "shop.{source}.example", "[::1]");
    Arbitrary<String> piece = Arbitraries.of("/", "/p", "?a=1", "&", "#top", "{click_id}", "{sub1}", "{sub2}",
        "{source}", "{foo}", " ", "%20", "\\", "?", "#", "=", "x", "{", "}", "\r\n", "é");
    return net.jqwik.api.Combinators.combine(scheme, host, piece.list().ofMaxSize(8))
        .as((s, h, p) -> s + h + String.join("", p));
  }

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(20),
        Arbitraries.of("//evil.example", "@evil.example", "a#b?c&d=e", "\\\\x", "\r\nSet-Cookie: a", "%0d%0a",
            "x".repeat(Destinations.MAX_LOCATION_LENGTH)),
        Arbitraries.just(null));
  }

  /** The former per-click algorithm, kept here as the reference. */
  private static String reference(String storedUrl, Map<String, String> values) {
    int pathStart = pathStart(storedUrl);
    if (pathStart < 0) {
      return null;
    }
    String origin = storedUrl.substring(0, pathStart);
    String rest = storedUrl.substring(pathStart);
    boolean hasClickMacro = rest.contains("{click_id}");
    if (rest.indexOf('{') >= 0) {
      rest = MACRO.matcher(rest).replaceAll(m -> Matcher.quoteReplacement(encode(values.get(m.group(1)))));
    }
    String url = origin + rest;
    if (!hasClickMacro) {
      int hash = url.indexOf('#');
      String fragment = hash >= 0 ? url.substring(hash) : "";
      String base = hash >= 0 ? url.substring(0, hash) : url;
      String separator = base.indexOf('?') >= 0 ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?";
      url = base + separator + "click_id=" + encode(values.get("click_id")) + fragment;
    }
    return url.length() <= Destinations.MAX_LOCATION_LENGTH && safe(url) && pathStart(url) == origin.length()
        && url.startsWith(origin) ? url : null;
  }

  private static boolean safe(String value) {
    if (value.chars().anyMatch(c -> c < 0x21 || c == '\\' || c == 0x7f)) {
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

  private static int pathStart(String url) {
    int scheme = url.indexOf("://");
    if (scheme <= 0) {
      return -1;
    }
    for (int i = scheme + 3; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c == '/' || c == '?' || c == '#') {
        return i;
      }
    }
    return url.length();
  }

  private static String encode(String value) {
    return value == null ? "" : URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
