package io.tracklane.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
  private static final Set<String> LB = Set.of("10.0.0.1", "10.0.0.2");

  @Test
  void theHeaderIsIgnoredUnlessThePeerIsATrustedProxy() {
    assertEquals("203.0.113.9", ClientAddress.of("203.0.113.9", "198.51.100.1", LB));
    assertEquals("10.0.0.1", ClientAddress.of("10.0.0.1", null, LB));
  }

  @Test
  void behindTrustedProxiesTheFirstUntrustedHopFromTheRightIsTheVisitor() {
    assertEquals("198.51.100.1", ClientAddress.of("10.0.0.1", "198.51.100.1", LB));
    assertEquals("198.51.100.1", ClientAddress.of("10.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2", LB));
    assertEquals("10.0.0.1", ClientAddress.of("10.0.0.1", " , 10.0.0.2", LB));
  }
}
