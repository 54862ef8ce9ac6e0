package io.tracklane.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The edge's own counters; no per-link or per-affiliate labels. */
public final class EdgeMetrics {
  final Counter clicks;
  final Counter clicksRepeated;
  final Counter botClicks;
  final Counter clicksLost;
  final Counter impressionsLost;
  final Counter impressions;
  final Counter postbacksAccepted;
  final Counter postbacksDuplicate;
  final Counter postbacksRejected;
  final Counter postbacksUnavailable;
  final Counter clientConversionsIgnored;
  final Counter clientConversionsRefused;
  private final MeterRegistry registry;

  public EdgeMetrics(MeterRegistry registry) {
    this.registry = registry;
    clicks = Counter.builder("tracklane_clicks_total")
        .description("Human clicks redirected and handed to Kafka or the journal")
        .register(registry);
    clicksRepeated = Counter.builder("tracklane_clicks_repeated_total")
        .description("Human clicks queued but flagged not unique (same visitor, same link, within the window)")
        .register(registry);
    botClicks = Counter.builder("tracklane_bot_clicks_total")
        .description("Crawler and link-preview visits redirected and queued, flagged bot, not counted as clicks")
        .register(registry);
    clicksLost = Counter.builder("tracklane_clicks_lost_total")
        .description("Clicks redirected but neither taken by Kafka nor journaled: the journal was at its quota")
        .register(registry);
    impressionsLost = Counter.builder("tracklane_impressions_lost_total")
        .description("Impressions answered but neither taken by Kafka nor journaled: the journal was at its quota")
        .register(registry);
    impressions = Counter.builder("tracklane_impressions_total").description("Impressions queued")
        .register(registry);
    postbacksAccepted = outcome(registry, "accepted");
    postbacksDuplicate = outcome(registry, "duplicate");
    postbacksRejected = outcome(registry, "rejected");
    postbacksUnavailable = outcome(registry, "unavailable");
    clientConversionsIgnored = Counter.builder("tracklane_client_conversions_ignored_total")
        .description("Client-side conversions answered but filed nowhere: no valid click id and no known "
            + "program_id to record the rejection under").register(registry);
    clientConversionsRefused = Counter.builder("tracklane_client_conversions_refused_total")
        .description("Client-side conversions recorded as rejected events by the edge (no or a forged click id, "
            + "a campaign without accept_client_conversions, a foreign origin)").register(registry);
  }

  /** A Redis call answered from the in-process fallback: pool_full, timeout or unavailable. */
  void redisFallback(String reason) {
    Counter.builder("tracklane_redis_fallbacks_total").tag("reason", reason)
        .description("Redis calls on the request path answered from the in-process fallback (never a failed request)")
        .register(registry).increment();
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder("tracklane_postbacks_total").tag("outcome", outcome).description("Postbacks by outcome")
        .register(registry);
  }

  /** Facts the journal accepted and a failed disk write then lost (clicks or impressions). */
  public static final class Journal {
    private final Counter writeLost;

    public Journal(MeterRegistry registry) {
      writeLost = Counter.builder("tracklane_journal_write_lost_total")
          .description("Facts accepted by the journal that a failed disk write lost (logged with the error)")
          .register(registry);
    }

    public void writeFailed(long facts) {
      writeLost.increment(facts);
    }
  }
}
