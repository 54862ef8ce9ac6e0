package io.tracklane.stats;

/**
 * One group of a stats answer: {@code key} is the group's value as text (a day "2026-11-22", a month
 * "2026-11", an hour "2026-11-22T13", an id in decimal, a source, sub or device value), null for
 * facts without that dimension (a conversion without a click has no source) and for TOTAL.
 */
public record StatsRow(String key, Measures measures) {
}
