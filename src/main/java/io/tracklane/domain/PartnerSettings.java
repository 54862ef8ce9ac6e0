package io.tracklane.domain;

import java.time.ZoneId;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an affiliate may change about itself through the partner API: where its payouts go and the
 * time zone its dashboard is cut in. Each value is checked here, without I/O.
 */
public final class PartnerSettings {
  /** A single address: local part, one {@code @}, a dotted domain; no spaces or control characters. */
  private static final Pattern ADDRESS = Pattern.compile("[^@\\s\\p{Cntrl}]+@[^@\\s\\p{Cntrl}.]+(\\.[^@\\s\\p{Cntrl}.]+)+");
  public static final int MAX_EMAIL_LENGTH = 320;

  private PartnerSettings() {
  }

  /** True for an address like {@code jane@example.com} (at most 320 characters). */
  public static boolean isEmail(String value) {
    return value != null && value.length() <= MAX_EMAIL_LENGTH && ADDRESS.matcher(value).matches();
  }

  /**
   * The tz database zone the value names ({@code Europe/Berlin}, {@code Asia/Kathmandu}, {@code UTC}),
   * spelt exactly as the database spells it; empty for anything else, bare offsets ({@code +02:00},
   * {@code UTC+2}) included: a region follows its DST changes, an offset does not.
   */
  public static Optional<ZoneId> timeZone(String value) {
    if (value == null || !ZoneId.getAvailableZoneIds().contains(value)) {
      return Optional.empty();
    }
    return Optional.of(ZoneId.of(value));
  }

  /** The zone an affiliate's figures are cut in: its own when set, else its program's. */
  public static ZoneId effectiveZone(String affiliateZone, String programZone) {
    return timeZone(affiliateZone).orElseGet(() -> ZoneId.of(programZone));
  }
}
