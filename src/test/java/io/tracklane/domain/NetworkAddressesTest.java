package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.domain.NetworkAddresses.Kind;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class NetworkAddressesTest {

  private static Kind of(String literal) throws Exception {
    return NetworkAddresses.classify(InetAddress.getByName(literal).getAddress());
  }

  /** ::ffff:a.b.c.d as the 16 bytes a socket may carry (InetAddress itself turns it into IPv4). */
  private static Kind mapped(int a, int b, int c, int d) {
    byte[] v6 = new byte[16];
    v6[10] = (byte) 0xff;
    v6[11] = (byte) 0xff;
    v6[12] = (byte) a;
    v6[13] = (byte) b;
    v6[14] = (byte) c;
    v6[15] = (byte) d;
    return NetworkAddresses.classify(v6);
  }

  @Test
  void everyClass() throws Exception {
    assertEquals(Kind.LOOPBACK, of("127.0.0.1"));
    assertEquals(Kind.LOOPBACK, of("127.255.0.9"));
    assertEquals(Kind.LOOPBACK, of("::1"));
    assertEquals(Kind.LOOPBACK, mapped(127, 0, 0, 1));
    assertEquals(Kind.LOOPBACK, of("::ffff:127.0.0.1"));
    assertEquals(Kind.PRIVATE, of("10.0.0.1"));
    assertEquals(Kind.PRIVATE, of("172.16.0.1"));
    assertEquals(Kind.PRIVATE, of("172.31.255.255"));
    assertEquals(Kind.PUBLIC, of("172.32.0.1"));
    assertEquals(Kind.PRIVATE, of("192.168.0.1"));
    assertEquals(Kind.PRIVATE, of("100.64.0.1"));
    assertEquals(Kind.PRIVATE, mapped(10, 1, 2, 3));
    assertEquals(Kind.PRIVATE, of("fc00::1"));
    assertEquals(Kind.PRIVATE, of("fdff:ffff::1"));
    assertEquals(Kind.PRIVATE, of("fec0::1"));
    assertEquals(Kind.LINK_LOCAL, of("169.254.169.254"));
    assertEquals(Kind.LINK_LOCAL, mapped(169, 254, 169, 254));
    assertEquals(Kind.LINK_LOCAL, of("fe80::1"));
    assertEquals(Kind.LINK_LOCAL, of("febf::1"));
    assertEquals(Kind.MULTICAST, of("224.0.0.1"));
    assertEquals(Kind.MULTICAST, of("239.255.255.255"));
    assertEquals(Kind.MULTICAST, of("ff02::1"));
    assertEquals(Kind.UNSPECIFIED, of("0.0.0.0"));
    assertEquals(Kind.UNSPECIFIED, of("0.1.2.3"));
    assertEquals(Kind.UNSPECIFIED, of("::"));
    assertEquals(Kind.UNSPECIFIED, mapped(0, 0, 0, 0));
    assertEquals(Kind.RESERVED, of("255.255.255.255"));
    assertEquals(Kind.RESERVED, of("240.0.0.1"));
    assertEquals(Kind.RESERVED, of("198.18.0.1"));
    assertEquals(Kind.RESERVED, of("2001:db8::1"));
    assertEquals(Kind.LOOPBACK, of("64:ff9b::7f00:1"));
    assertEquals(Kind.LINK_LOCAL, of("2002:a9fe:a9fe::1"));
    assertEquals(Kind.LOOPBACK, of("::127.0.0.1"));
    assertEquals(Kind.PUBLIC, of("8.8.8.8"));
    assertEquals(Kind.PUBLIC, of("93.184.216.34"));
    assertEquals(Kind.PUBLIC, of("2606:4700::1111"));
    assertEquals(Kind.PUBLIC, mapped(1, 1, 1, 1));
  }
}
