package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DestinationsTest {
  private static Map<String, String> values(String sub1) {
    Map<String, String> v = new HashMap<>();
    v.put("click_id", "abc");
    v.put("affiliate_id", "7");
    v.put("campaign_id", "3");
    v.put("sub1", sub1);
    return v;
  }

  @Test
  void macrosAreUrlEncodedAndClickIdIsNotAppendedTwice() {
    String url = Destinations.build("https://shop.example/p?c={click_id}&a={affiliate_id}&s={sub1}&x={sub2}",
        values("spring sale&x=1"));
    assertEquals("https://shop.example/p?c=abc&a=7&s=spring+sale%26x%3D1&x=", url);
  }

  @Test
  void clickIdIsAppendedBeforeTheFragment() {
    assertEquals("https://shop.example/p?a=1&click_id=abc#top",
        Destinations.build("https://shop.example/p?a=1#top", values(null)));
    assertEquals("https://shop.example?click_id=abc", Destinations.build("https://shop.example", values(null)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"//evil.example", "https://good.example@evil.example", "\\\\evil.example",
      "javascript:alert(1)", "x\r\nSet-Cookie: a=b", "evil.example/%0d%0a", "@evil.example"})
  void noValueCanChangeTheHostOrInjectAHeader(String hostile) {
    String url = Destinations.build("https://shop.example/{sub1}?s={sub1}", values(hostile));
    assertEquals("shop.example", URI.create(url).getHost());
    assertFalse(url.chars().anyMatch(c -> c < 0x21 || c == '\\'), url);
  }

  @Test
  void macrosInTheHostAreRefusedWhenStored() {
    assertFalse(Destinations.isSafeTemplate("https://{sub1}/land"));
    assertFalse(Destinations.isSafeTemplate("https://shop.{sub1}.example/land"));
    assertTrue(Destinations.isSafeTemplate("https://shop.example/land?c={click_id}&s={source}"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"//evil.example/x", "https://good.example@evil.example/", "https://shop.example\\@evil",
      "javascript:alert(1)", "https://shop.example/\r\nX: y", "ftp://shop.example/", "https:///nohost",
      "data:text/html,hi", "https://shop.example/a b"})
  void unsafeStoredUrlsAreRefused(String stored) {
    assertFalse(Destinations.isSafeTemplate(stored), stored);
  }

  @Test
  void anOverlongResultIsRefusedRatherThanSent() {
    String huge = "x".repeat(Destinations.MAX_LOCATION_LENGTH);
    assertNull(Destinations.build("https://shop.example/?s={sub1}", values(huge)));
  }
}
