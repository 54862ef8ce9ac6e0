package io.tracklane.edge;

import io.tracklane.config.AppConfig;
import io.tracklane.domain.ClickIdCodec;
import java.time.Clock;

/**
 * What every edge handler works with, built once per edge verticle; {@code facts} is where every
 * fact goes to Kafka, batched per event-loop burst.
 */
record EdgeContext(AppConfig config, ClickIdCodec clickIds, EdgeLookups lookups, EdgeMetrics metrics,
    RedisMarks marks, EventBatcher facts, Clock clock) {
}
