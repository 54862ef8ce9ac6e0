package io.tracklane.domain;

import java.util.Collection;

/**
 * Where a link's redirects lead, decided once when the link is loaded (not per click): the link's own
 * destination while its campaign allows it ({@link Destinations#isAllowedDestination}), else the
 * campaign's landing page; the landing page itself, for visits that are not credited; and the
 * program's fallback URL when it is safe (null otherwise).
 */
public record LinkDestinations(DestinationTemplate credited, DestinationTemplate landingPage, String fallbackUrl) {

  public static LinkDestinations of(String destinationUrl, String landingPageUrl, Collection<String> allowedDomains,
      String fallbackUrl) {
    DestinationTemplate landing = DestinationTemplate.of(landingPageUrl);
    DestinationTemplate credited = destinationUrl != null
        && Destinations.isAllowedDestination(destinationUrl, landingPageUrl, allowedDomains)
        ? DestinationTemplate.of(destinationUrl) : landing;
    return new LinkDestinations(credited, landing, Destinations.isSafeUrl(fallbackUrl) ? fallbackUrl : null);
  }
}
