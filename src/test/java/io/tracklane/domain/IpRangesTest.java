package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class IpRangesTest {
  private static final IpRanges LIST = IpRanges.parse("ip_allowlist",
      List.of("203.0.113.7", "10.0.0.0/8", "192.168.1.128/25", "2001:db8::/32", "::1"));

  @Test
  void addressesInsideAnEntryMatch() {
    String[] inside = {"203.0.113.7", "10.0.0.1", "10.255.255.255", "192.168.1.128", "192.168.1.255",
        "2001:db8::1", "2001:0db8:ffff::", "::1", "0:0:0:0:0:0:0:1", "::ffff:10.1.2.3"};
    for (String address : inside) {
      assertTrue(LIST.contains(address), address);
    }
  }

  @Test
  void addressesOutsideEveryEntryOrNotAddressesAtAllDoNotMatch() {
    String[] outside = {"203.0.113.8", "11.0.0.1", "192.168.1.127", "2001:db9::1", "::2", "", "localhost",
        "10.0.0", "999.1.1.1", null};
    for (String address : outside) {
      assertFalse(LIST.contains(address), String.valueOf(address));
    }
  }

  @Test
  void anEmptyListMatchesNothing() {
    assertTrue(IpRanges.NONE.isEmpty());
    assertFalse(IpRanges.NONE.contains("127.0.0.1"));
  }

  @Test
  void entriesThatAreNotLiteralsOrValidRangesAreRefusedByName() {
    String[] bad = {"example.com", "10.0.0.0/33", "::/129", "1.2.3.4/", "1.2.3", "256.1.1.1", "*", "", "10.0.0.0/-1"};
    for (String entry : bad) {
      InvalidInput e = assertThrows(InvalidInput.class, () -> IpRanges.parse("ip_allowlist", List.of(entry)), entry);
      assertEquals("ip_allowlist", e.field());
    }
  }

  @Test
  void entriesAreKeptAsGiven() {
    assertEquals(List.of("10.0.0.0/8", "::1"), IpRanges.parse("x", List.of(" 10.0.0.0/8 ", "::1")).entries());
  }
}
