package io.tracklane.stats;

/**
 * Equality filters on the rollups' dimensions; a null field does not filter. {@code device} is one
 * of desktop, mobile, tablet, bot. Facts without a value (a conversion without a click has no
 * source) never match a filter on that dimension.
 */
public record StatsFilter(Long campaignId, Long affiliateId, Long linkId, String source, String sub1, String sub2,
    String sub3, String sub4, String sub5, String device) {
  public static final StatsFilter NONE = new StatsFilter(null, null, null, null, null, null, null, null, null, null);

  public static StatsFilter campaign(Long campaignId) {
    return new StatsFilter(campaignId, null, null, null, null, null, null, null, null, null);
  }

  /** The same filter narrowed to one affiliate (the affiliate API scopes every query this way). */
  public StatsFilter withAffiliate(Long affiliate) {
    return new StatsFilter(campaignId, affiliate, linkId, source, sub1, sub2, sub3, sub4, sub5, device);
  }

  /** A stable text of the filter, for cache keys. */
  public String key() {
    return String.join("|", s(campaignId), s(affiliateId), s(linkId), s(source), s(sub1), s(sub2), s(sub3), s(sub4),
        s(sub5), s(device));
  }

  private static String s(Object o) {
    return o == null ? "" : o.toString().replace("|", "||");
  }
}
