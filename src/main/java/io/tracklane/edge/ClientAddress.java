package io.tracklane.edge;

import java.util.Set;

/** The visitor's address: the peer's, or behind a trusted load balancer the one it forwarded. */
public final class ClientAddress {
  private ClientAddress() {
  }

  /**
   * @param peer the address the connection comes from
   * @param forwardedFor the X-Forwarded-For header, null if none
   * @param trusted the load balancers whose header is believed
   */
  public static String of(String peer, String forwardedFor, Set<String> trusted) {
    if (forwardedFor == null || !trusted.contains(peer)) {
      return peer;
    }
    // Right to left: each trusted hop appended the address it saw; the first untrusted one is the
    // visitor (entries further left were written by the client and prove nothing).
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!hop.isEmpty() && !trusted.contains(hop)) {
        return hop.length() > 45 ? hop.substring(0, 45) : hop;
      }
    }
    return peer;
  }
}
