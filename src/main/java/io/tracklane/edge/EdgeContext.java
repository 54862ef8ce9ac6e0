package io.tracklane.edge;

import io.tracklane.config.AppConfig;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.firehose.EventPublisher;
import java.time.Clock;

/** What every edge handler works with, built once per edge verticle. */
record EdgeContext(AppConfig config, ClickIdCodec clickIds, EdgeLookups lookups, EventPublisher publisher,
    EdgeMetrics metrics, RedisMarks marks, Clock clock) {
}
