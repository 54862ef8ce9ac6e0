package io.tracklane.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.domain.IpRanges;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
  private static final IpRanges LB = IpRanges.parse("trusted", List.of("10.0.0.1", "10.0.0.2"));

  @Test
  void theHeaderIsIgnoredUnlessThePeerIsATrustedProxy() {
    assertEquals("203.0.113.9", ClientAddress.of("203.0.113.9", "198.51.100.1", LB));
    assertEquals("10.0.0.1", ClientAddress.of("10.0.0.1", null, LB));
    assertEquals("10.0.0.1", ClientAddress.of("10.0.0.1", "198.51.100.1", IpRanges.NONE));
  }

  @Test
  void behindTrustedProxiesTheFirstUntrustedHopFromTheRightIsTheVisitor() {
    assertEquals("198.51.100.1", ClientAddress.of("10.0.0.1", "198.51.100.1", LB));
    assertEquals("198.51.100.1", ClientAddress.of("10.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2", LB));
    assertEquals("10.0.0.1", ClientAddress.of("10.0.0.1", " , 10.0.0.2", LB));
  }

  @Test
  void trustedProxiesMayBeGivenAsRanges() {
    IpRanges cluster = IpRanges.parse("trusted", List.of("10.0.0.0/8"));
    assertEquals("198.51.100.1", ClientAddress.of("10.20.30.40", "198.51.100.1, 10.9.9.9", cluster));
    assertEquals("11.0.0.1", ClientAddress.of("11.0.0.1", "198.51.100.1", cluster));
  }
}
