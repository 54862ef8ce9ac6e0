package io.tracklane.edge;

import io.tracklane.config.AppConfig;
import io.tracklane.domain.ClickIdCodec;
import io.tracklane.firehose.EventPublisher;
import java.time.Clock;

/**
 * What every edge handler works with, built once per edge verticle. {@code facts} batches the
 * facts nobody waits for; postbacks, which answer only after the broker's ack, use the publisher.
 */
record EdgeContext(AppConfig config, ClickIdCodec clickIds, EdgeLookups lookups, EventPublisher publisher,
    EdgeMetrics metrics, RedisMarks marks, EventBatcher facts, Clock clock) {
}
