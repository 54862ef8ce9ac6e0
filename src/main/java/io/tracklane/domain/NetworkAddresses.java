package io.tracklane.domain;

/**
 * Classifies an IP address for outbound requests (partner postbacks): only {@link Kind#PUBLIC}
 * addresses may be connected to. IPv6 forms that embed an IPv4 address (IPv4-mapped
 * {@code ::ffff:a.b.c.d}, IPv4-compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::/96} and 6to4
 * {@code 2002::/16}) are classified by the IPv4 address they carry, so {@code ::ffff:127.0.0.1} is
 * loopback.
 */
public final class NetworkAddresses {
  /** What an address is; every kind but PUBLIC is refused. */
  public enum Kind { PUBLIC, LOOPBACK, PRIVATE, LINK_LOCAL, MULTICAST, UNSPECIFIED, RESERVED }

  private NetworkAddresses() {
  }

  /** Classifies a 4-byte (IPv4) or 16-byte (IPv6) address, as {@code InetAddress.getAddress()} gives it. */
  public static Kind classify(byte[] address) {
    if (address.length == 4) {
      return ipv4(address);
    }
    if (address.length != 16) {
      throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
    }
    return ipv6(address);
  }

  public static boolean isPublic(byte[] address) {
    return classify(address) == Kind.PUBLIC;
  }

  private static Kind ipv4(byte[] a) {
    int b0 = a[0] & 0xff;
    int b1 = a[1] & 0xff;
    if (b0 == 0) {
      return Kind.UNSPECIFIED; // 0.0.0.0/8: "this network"; 0.0.0.0 reaches the local host
    }
    if (b0 == 127) {
      return Kind.LOOPBACK;
    }
    if (b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168)) {
      return Kind.PRIVATE;
    }
    if (b0 == 100 && (b1 & 0xc0) == 64) {
      return Kind.PRIVATE; // 100.64.0.0/10, carrier-grade NAT (shared address space)
    }
    if (b0 == 169 && b1 == 254) {
      return Kind.LINK_LOCAL; // 169.254.0.0/16, cloud metadata (169.254.169.254) included
    }
    if (b0 >= 224 && b0 <= 239) {
      return Kind.MULTICAST;
    }
    if (b0 >= 240) {
      return Kind.RESERVED; // 240.0.0.0/4 and the broadcast address 255.255.255.255
    }
    if (b0 == 192 && b1 == 0 && (a[2] & 0xff) == 0) {
      return Kind.RESERVED; // 192.0.0.0/24, IETF protocol assignments
    }
    if (b0 == 198 && (b1 & 0xfe) == 18) {
      return Kind.RESERVED; // 198.18.0.0/15, benchmarking
    }
    return Kind.PUBLIC;
  }

  private static Kind ipv6(byte[] a) {
    boolean firstTenZero = true;
    for (int i = 0; i < 10; i++) {
      firstTenZero &= a[i] == 0;
    }
    if (firstTenZero && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) {
      return ipv4(tail(a, 12)); // ::ffff:a.b.c.d
    }
    if (firstTenZero && a[10] == 0 && a[11] == 0) {
      boolean zeroUpTo15 = a[12] == 0 && a[13] == 0 && a[14] == 0;
      if (zeroUpTo15 && a[15] == 0) {
        return Kind.UNSPECIFIED; // ::
      }
      if (zeroUpTo15 && a[15] == 1) {
        return Kind.LOOPBACK; // ::1
      }
      return ipv4(tail(a, 12)); // ::a.b.c.d (deprecated IPv4-compatible)
    }
    int b0 = a[0] & 0xff;
    int b1 = a[1] & 0xff;
    if (b0 == 0x00 && b1 == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b) {
      return ipv4(tail(a, 12)); // 64:ff9b::/96, NAT64
    }
    if (b0 == 0x20 && b1 == 0x02) {
      return ipv4(new byte[] {a[2], a[3], a[4], a[5]}); // 2002::/16, 6to4
    }
    if (b0 == 0xff) {
      return Kind.MULTICAST; // ff00::/8
    }
    if ((b0 & 0xfe) == 0xfc) {
      return Kind.PRIVATE; // fc00::/7, unique local addresses
    }
    if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
      return Kind.LINK_LOCAL; // fe80::/10
    }
    if (b0 == 0xfe && (b1 & 0xc0) == 0xc0) {
      return Kind.PRIVATE; // fec0::/10, the deprecated site-local addresses
    }
    if (b0 == 0x01 && b1 == 0x00 && a[2] == 0 && a[3] == 0 && a[4] == 0 && a[5] == 0 && a[6] == 0 && a[7] == 0) {
      return Kind.RESERVED; // 100::/64, discard-only
    }
    if (b0 == 0x20 && b1 == 0x01 && a[2] == 0x0d && (a[3] & 0xff) == 0xb8) {
      return Kind.RESERVED; // 2001:db8::/32, documentation
    }
    return Kind.PUBLIC;
  }

  private static byte[] tail(byte[] a, int from) {
    byte[] out = new byte[a.length - from];
    System.arraycopy(a, from, out, 0, out.length);
    return out;
  }
}
