package io.tracklane.api;

import io.tracklane.domain.IpRanges;
import io.tracklane.stats.StatsCache;
import java.time.Clock;

/**
 * What every API verticle instance shares to admit requests, built once by the Engine: the key
 * cache, the rate limiter, the usage batcher, the proxies whose X-Forwarded-For is believed, and the
 * clock keys expire by; and the stats answers' cache (one per process, so concurrent misses of a
 * key are computed once).
 */
public record ApiAccess(ApiKeyCache keys, RateLimiter limiter, ApiKeyUsage usage, IpRanges trustedProxies,
    Clock clock, StatsCache stats) {
}
