package io.tracklane.http;

import io.tracklane.domain.IpRanges;
import io.vertx.core.http.HttpServerRequest;

/**
 * The visitor's address: the peer's, or behind a trusted load balancer the one it forwarded. The
 * one rule for the edge (unique visitors, the click's ip) and the API (key allowlists, failed
 * authentications per address).
 */
public final class ClientAddress {
  private static final int MAX_LENGTH = 45;

  private ClientAddress() {
  }

  /** The address of {@code request}'s client, believing X-Forwarded-For only from {@code trusted} peers. */
  public static String of(HttpServerRequest request, IpRanges trusted) {
    String peer = request.remoteAddress() == null ? "" : request.remoteAddress().hostAddress();
    return of(peer, request.getHeader("X-Forwarded-For"), trusted);
  }

  /**
   * @param peer the address the connection comes from
   * @param forwardedFor the X-Forwarded-For header, null if none
   * @param trusted the load balancers whose header is believed
   */
  public static String of(String peer, String forwardedFor, IpRanges trusted) {
    if (forwardedFor == null || !trusted.contains(peer)) {
      return peer;
    }
    // Right to left: each trusted hop appended the address it saw; the first untrusted one is the
    // visitor (entries further left were written by the client and prove nothing).
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!hop.isEmpty() && !trusted.contains(hop)) {
        return hop.length() > MAX_LENGTH ? hop.substring(0, MAX_LENGTH) : hop;
      }
    }
    return peer;
  }
}
