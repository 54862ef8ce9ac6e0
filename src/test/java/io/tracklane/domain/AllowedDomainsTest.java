package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A campaign's allowed domains: registrable names only, and what they let a link's destination be. */
class AllowedDomainsTest {

  @ParameterizedTest
  @ValueSource(strings = {"com", "*", "", " ", "*.shop.example", "co.uk", "COM.AU", "github.io", "shop.example.",
      ".shop.example", "shop..example", "-shop.example", "shop-.example", "https://shop.example", "shop.example/p",
      "shop.example:8080", "192.168.0.1", "shop.123", "shop example.com", "a\u0000.example", "user@shop.example"})
  void entriesThatAreNotRegistrableDomainNamesAreRefusedNamingTheField(String entry) {
    InvalidInput e = assertThrows(InvalidInput.class, () -> Destinations.allowedDomain("allowed_domains", entry));
    assertEquals("allowed_domains", e.field());
  }

  @ParameterizedTest
  @CsvSource({"shop.example, shop.example", "Shop.Example, shop.example", "shop.co.uk, shop.co.uk",
      "deals.partner.example, deals.partner.example", "xn--bcher-kva.de, xn--bcher-kva.de",
      "bücher.de, xn--bcher-kva.de", "my-shop.example, my-shop.example", "me.github.io, me.github.io"})
  void registrableDomainNamesAreKeptLowerCaseAndInPunycode(String entry, String stored) {
    assertEquals(stored, Destinations.allowedDomain("allowed_domains", entry));
  }

  @Test
  void aDestinationMayBeOnTheLandingPageHostOrUnderAnAllowedDomain() {
    String landing = "https://shop.example/land";
    List<String> allowed = List.of("partner.example");
    assertTrue(Destinations.isAllowedDestination("https://shop.example/other?c={click_id}", landing, allowed));
    assertTrue(Destinations.isAllowedDestination("https://partner.example/p", landing, allowed));
    assertTrue(Destinations.isAllowedDestination("https://deals.partner.example/p", landing, allowed));
    assertFalse(Destinations.isAllowedDestination("https://evilpartner.example/p", landing, allowed));
    assertFalse(Destinations.isAllowedDestination("https://partner.example.evil.com/p", landing, allowed));
    assertFalse(Destinations.isAllowedDestination("https://partner.example/p", landing, List.of()));
    assertFalse(Destinations.isAllowedDestination("javascript:alert(1)", landing, allowed));
  }

  @Test
  void storedEntriesThatBreakTheRuleAllowNothing() {
    String landing = "https://shop.example/land";
    for (String legacy : List.of("com", "*", "", "co.uk")) {
      assertFalse(Destinations.isAllowedDestination("https://anything.com/p", landing, List.of(legacy)), legacy);
      assertFalse(Destinations.isAllowedDestination("https://x.co.uk/p", landing, List.of(legacy)), legacy);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "Summer_Sale-2026", "a1b2c3d4e5"})
  void linkCodesAreLettersDigitsDashesAndUnderscores(String code) {
    assertTrue(LinkCodes.isValid(code));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ab", "a\u0000b", "ab cd", "ab/cd", "ab%00", "é-code"})
  void anythingElseIsNoLinkCode(String code) {
    assertFalse(LinkCodes.isValid(code));
  }
}
