package io.tracklane.domain;

import java.time.Instant;
import java.util.Optional;

/** Decides whether a conversion carrying a click id can be credited to that click's link. */
public final class Attribution {
  public static final String NO_ATTRIBUTION = "no_attribution";
  public static final String FORGED_CLICK_ID = "forged_click_id";
  public static final String UNKNOWN_LINK = "unknown_link";
  public static final String EXPIRED_CLICK = "expired_click";
  public static final String NOT_CREDITABLE = "not_creditable";

  private Attribution() {
  }

  /** What the ledger knows of the link a click id names. */
  public record LinkTerms(boolean creditable, int cookieWindowDays) {
  }

  /**
   * The reason the click cannot be credited, or empty when it can.
   *
   * @param rawClickId the click id as reported, null if none
   * @param verified the verified click id, empty when {@code rawClickId} did not verify
   * @param link the terms of the link the click id names, null when no such link exists in the program
   * @param at when the conversion happened
   */
  public static Optional<String> rejectClick(String rawClickId, Optional<ClickId> verified, LinkTerms link,
      Instant at) {
    if (rawClickId == null || rawClickId.isEmpty()) {
      return Optional.of(NO_ATTRIBUTION);
    }
    if (verified.isEmpty()) {
      return Optional.of(FORGED_CLICK_ID);
    }
    if (link == null) {
      return Optional.of(UNKNOWN_LINK);
    }
    if (!verified.get().creditableAt(at, link.cookieWindowDays())) {
      return Optional.of(EXPIRED_CLICK);
    }
    if (!link.creditable()) {
      return Optional.of(NOT_CREDITABLE);
    }
    return Optional.empty();
  }
}
