package io.tracklane.webhooks;

import io.tracklane.config.AppConfig.WebhooksConfig;
import io.tracklane.domain.NetworkAddresses;
import io.tracklane.domain.PostbackMacros;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a partner postback goes: the URL's host resolved once, every address it resolves to
 * checked, and the address to connect to (no second lookup, so a DNS answer that changes between
 * the check and the connection cannot send the request elsewhere). Refused unless every address is
 * public, or the host is listed in {@code webhooks.allow_hosts}.
 */
public record Destination(URI uri, String host, int port, boolean ssl, InetAddress address) {

  /** Why a URL may not be called; its message is what the API's 400 and the attempt's error say. */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** The request target: path and query. */
  public String requestUri() {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }

  /** The Host header: the host, with the port when it is not the scheme's default. */
  public String hostHeader() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return (ssl && port == 443) || (!ssl && port == 80) ? h : h + ":" + port;
  }

  /** Checks the form of a URL template (macros allowed after the host); throws Refused. */
  public static URI parse(String template) {
    int schemeEnd = template.indexOf("://");
    if (schemeEnd < 0) {
      throw new Refused("url must be an absolute http or https URL");
    }
    int authorityEnd = template.indexOf('/', schemeEnd + 3);
    int queryAt = template.indexOf('?', schemeEnd + 3);
    if (queryAt >= 0 && (authorityEnd < 0 || queryAt < authorityEnd)) {
      authorityEnd = queryAt;
    }
    String authority = template.substring(schemeEnd + 3, authorityEnd < 0 ? template.length() : authorityEnd);
    if (authority.contains("{") || authority.contains("}")) {
      throw new Refused("url: macros may not appear in the host or port");
    }
    List<String> unknown = PostbackMacros.unknown(template);
    if (!unknown.isEmpty()) {
      throw new Refused("url: unknown macro " + unknown.get(0) + " (known: " + String.join(", ",
          PostbackMacros.NAMES.stream().map(n -> "{" + n + "}").toList()) + ")");
    }
    // Any macro value is URL-encoded, so a sample value stands for all of them.
    String sample = PostbackMacros.render(template, Map.of());
    URI uri;
    try {
      uri = new URI(sample);
    } catch (URISyntaxException e) {
      throw new Refused("url is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new Refused("url must be an absolute http or https URL");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new Refused("url must name a host");
    }
    if (uri.getRawUserInfo() != null) {
      throw new Refused("url must not carry a user name or password");
    }
    if (uri.getRawFragment() != null) {
      throw new Refused("url must not carry a fragment");
    }
    return uri;
  }

  /**
   * Resolves {@code url} (a rendered URL, or a template) and checks every address; fails with
   * {@link Refused}. The lookup runs on a worker thread.
   */
  public static Future<Destination> resolve(Vertx vertx, String url, WebhooksConfig config) {
    URI uri;
    try {
      uri = parse(url);
    } catch (Refused e) {
      return Future.failedFuture(e);
    }
    boolean ssl = uri.getScheme().equalsIgnoreCase("https");
    int port = uri.getPort() < 0 ? (ssl ? 443 : 80) : uri.getPort();
    String rawHost = uri.getHost();
    String host = rawHost.startsWith("[") ? rawHost.substring(1, rawHost.length() - 1) : rawHost;
    String lookupHost;
    try {
      lookupHost = host.contains(":") ? host : IDN.toASCII(host).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new Refused("url: the host is not a valid name"));
    }
    boolean allowed = config.allows(lookupHost) || config.allows(host);
    return vertx.executeBlocking(() -> {
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(lookupHost);
      } catch (UnknownHostException e) {
        throw new Refused("url: the host " + host + " does not resolve");
      }
      if (!allowed) {
        for (InetAddress a : addresses) {
          NetworkAddresses.Kind kind = NetworkAddresses.classify(a.getAddress());
          if (kind != NetworkAddresses.Kind.PUBLIC) {
            throw new Refused("url: the host " + host + " resolves to " + a.getHostAddress() + ", a "
                + kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + " address; only public addresses "
                + "are called");
          }
        }
      }
      return new Destination(uri, lookupHost, port, ssl, addresses[0]);
    }, false);
  }
}
