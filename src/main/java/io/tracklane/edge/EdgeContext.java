package io.tracklane.edge;

import io.tracklane.config.AppConfig;
import io.tracklane.domain.ClickIdCodec;
import java.time.Clock;

/**
 * What every edge handler works with, built once per edge verticle; {@code facts} is where every
 * fact goes: Kafka, or the local journal when Kafka cannot take it ({@link FactSink}).
 */
record EdgeContext(AppConfig config, ClickIdCodec clickIds, EdgeLookups lookups, EdgeMetrics metrics,
    RedisMarks marks, FactSink facts, UniqueVisitors visitors, Clock clock) {
}
