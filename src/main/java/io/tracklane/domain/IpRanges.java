package io.tracklane.domain;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A list of IP addresses and CIDR ranges ({@code 203.0.113.7}, {@code 10.0.0.0/8},
 * {@code 2001:db8::/32}), as used by API key allowlists and trusted proxies. Only literals are
 * accepted, so parsing never resolves a host name.
 */
public final class IpRanges {
  public static final IpRanges NONE = new IpRanges(List.of(), List.of());

  private final List<String> entries;
  private final List<Range> ranges;

  private record Range(byte[] network, int prefixBits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefixBits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefixBits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private IpRanges(List<String> entries, List<Range> ranges) {
    this.entries = entries;
    this.ranges = ranges;
  }

  /**
   * Parses each entry; {@code field} names the setting in the error.
   *
   * @throws InvalidInput naming the first entry that is neither an IP address nor a CIDR range
   */
  public static IpRanges parse(String field, Collection<String> entries) {
    List<String> kept = new ArrayList<>();
    List<Range> ranges = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw == null ? "" : raw.trim();
      Range range = range(entry);
      if (range == null) {
        throw new InvalidInput(field, "entry '" + entry + "' is not an IP address or CIDR range");
      }
      kept.add(entry);
      ranges.add(range);
    }
    return new IpRanges(List.copyOf(kept), List.copyOf(ranges));
  }

  /** True when {@code address} (an IP literal, e.g. a peer's) is in one of the ranges. */
  public boolean contains(String address) {
    if (address == null || ranges.isEmpty()) {
      return false;
    }
    int zone = address.indexOf('%');
    byte[] bytes = literal(zone < 0 ? address : address.substring(0, zone));
    return bytes != null && ranges.stream().anyMatch(r -> r.contains(bytes));
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** The entries as given (trimmed), for storing and listing. */
  public List<String> entries() {
    return entries;
  }

  private static Range range(String entry) {
    int slash = entry.indexOf('/');
    byte[] network = literal(slash < 0 ? entry : entry.substring(0, slash));
    if (network == null) {
      return null;
    }
    int max = network.length * 8;
    if (slash < 0) {
      return new Range(network, max);
    }
    String bits = entry.substring(slash + 1);
    if (!bits.matches("\\d{1,3}") || Integer.parseInt(bits) > max) {
      return null;
    }
    return new Range(network, Integer.parseInt(bits));
  }

  /** The address bytes of an IPv4 or IPv6 literal (IPv4-mapped IPv6 as IPv4), or null. */
  private static byte[] literal(String text) {
    if (text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      byte[] bytes = new byte[4];
      String[] parts = text.split("\\.");
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(parts[i]);
        if (octet > 255) {
          return null;
        }
        bytes[i] = (byte) octet;
      }
      return bytes;
    }
    // With a ':' the JDK reads the text as an IPv6 literal and never asks DNS.
    if (text.indexOf(':') >= 0 && text.matches("[0-9A-Fa-f:.]{2,45}")) {
      try {
        return InetAddress.getByName(text).getAddress();
      } catch (UnknownHostException e) {
        return null;
      }
    }
    return null;
  }
}
