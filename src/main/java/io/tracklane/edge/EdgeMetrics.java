package io.tracklane.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The edge's own counters; no per-link or per-affiliate labels. */
public final class EdgeMetrics {
  final Counter clicks;
  final Counter clicksDropped;
  final Counter impressions;
  final Counter postbacksAccepted;
  final Counter postbacksRejected;
  final Counter postbacksUnavailable;

  public EdgeMetrics(MeterRegistry registry) {
    clicks = Counter.builder("tracklane_clicks_total").description("Clicks redirected and queued")
        .register(registry);
    clicksDropped = Counter.builder("tracklane_clicks_dropped_total")
        .description("Clicks redirected but not queued to Kafka").register(registry);
    impressions = Counter.builder("tracklane_impressions_total").description("Impressions queued")
        .register(registry);
    postbacksAccepted = Counter.builder("tracklane_postbacks_total").tag("outcome", "accepted")
        .description("Postbacks by outcome").register(registry);
    postbacksRejected = Counter.builder("tracklane_postbacks_total").tag("outcome", "rejected")
        .description("Postbacks by outcome").register(registry);
    postbacksUnavailable = Counter.builder("tracklane_postbacks_total").tag("outcome", "unavailable")
        .description("Postbacks by outcome").register(registry);
  }
}
