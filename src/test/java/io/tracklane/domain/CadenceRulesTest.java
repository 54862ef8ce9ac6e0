package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracklane.domain.RewardRule.CustomerHistory;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The reward cadences as a table of cases, boundaries included, in the program's time zone. */
class CadenceRulesTest {
  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
  private static final Duration NANO = Duration.ofNanos(1);

  static Stream<Arguments> cases() {
    Instant march10 = paris("2025-03-10T10:00");
    Instant leapDay = paris("2024-02-29T12:00");
    Instant beforeDst = paris("2025-03-29T12:00");
    Instant lastOfMarch = paris("2025-03-31T00:30");
    return Stream.of(
        row("one_time: the first sale earns", rule(RewardCadence.ONE_TIME, null, null), null, 0, march10, true),
        row("one_time: the second sale does not", rule(RewardCadence.ONE_TIME, null, null), march10, 1,
            march10.plusSeconds(1), false),
        row("every_payment: the 500th sale earns", rule(RewardCadence.EVERY_PAYMENT, null, null), march10, 499,
            march10.plus(Duration.ofDays(3000)), true),
        row("first_year: last instant of month 12 earns", rule(RewardCadence.FIRST_YEAR, 12, null), march10, 40,
            paris("2026-03-10T10:00").minus(NANO), true),
        row("first_year: first instant after month 12 does not", rule(RewardCadence.FIRST_YEAR, 12, null), march10,
            1, paris("2026-03-10T10:00"), false),
        row("first_year: no count limit", rule(RewardCadence.FIRST_YEAR, 12, null), march10, 10_000,
            march10.plus(Duration.ofDays(200)), true),
        row("first_year from a leap day ends on 28 February", rule(RewardCadence.FIRST_YEAR, 12, null), leapDay, 1,
            paris("2025-02-28T12:00").minus(NANO), true),
        row("first_year from a leap day: 28 February noon is out", rule(RewardCadence.FIRST_YEAR, 12, null), leapDay,
            1, paris("2025-02-28T12:00"), false),
        row("custom 1 month across DST: the local hour counts, not 720 h",
            rule(RewardCadence.CUSTOM, 1, null), beforeDst, 1, paris("2025-04-29T12:00").minus(NANO), true),
        row("custom 1 month across DST: local noon a month later is out", rule(RewardCadence.CUSTOM, 1, null),
            beforeDst, 1, Instant.parse("2025-04-29T10:30:00Z"), false),
        row("custom months counted in the program zone, not UTC", rule(RewardCadence.CUSTOM, 1, null),
            lastOfMarch, 1, Instant.parse("2025-04-30T00:00:00Z"), false),
        row("custom count: below the maximum earns", rule(RewardCadence.CUSTOM, null, 3), march10, 2,
            march10.plus(Duration.ofDays(900)), true),
        row("custom count: at the maximum does not", rule(RewardCadence.CUSTOM, null, 3), march10, 3, march10, false),
        row("custom period and count: the count ends it first", rule(RewardCadence.CUSTOM, 6, 2), march10, 2,
            march10.plus(Duration.ofDays(10)), false),
        row("custom period and count: the period ends it first", rule(RewardCadence.CUSTOM, 6, 10), march10, 2,
            paris("2025-09-10T10:00"), false),
        row("custom: a customer's first sale always earns", rule(RewardCadence.CUSTOM, 1, 1), null, 0, march10,
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void cadenceDecidesWhetherASaleEarns(String name, RewardRule rule, Instant anchor, int count, Instant at,
      boolean earns) {
    Optional<Money> commission = rule.saleCommission(Money.of(10_000, "EUR"), FxRate.identity("EUR"),
        new CustomerHistory(anchor, count), at, PARIS);
    assertEquals(earns, commission.isPresent(), name);
    commission.ifPresent(c -> assertEquals(Money.of(1_250, "EUR"), c));
  }

  static Stream<Arguments> windows() {
    Instant issued = Instant.parse("2025-03-30T00:30:00Z");
    return Stream.of(
        Arguments.of("a conversion on the last instant of the window is credited", issued.plus(Duration.ofDays(30)),
            true),
        Arguments.of("one nanosecond after the window is not", issued.plus(Duration.ofDays(30)).plus(NANO), false),
        Arguments.of("a reporting clock 4 minutes behind is tolerated", issued.minusSeconds(240), true),
        Arguments.of("a conversion long before the click is not", issued.minusSeconds(3600), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("windows")
  void cookieWindowBoundaries(String name, Instant at, boolean credited) {
    ClickId click = new ClickId("x", 1, Instant.parse("2025-03-30T00:30:00Z"), 7, 1);
    assertEquals(credited, click.creditableAt(at, 30), name);
  }

  private static Arguments row(String name, RewardRule rule, Instant anchor, int count, Instant at, boolean earns) {
    return Arguments.of(name, rule, anchor, count, at, earns);
  }

  private static RewardRule rule(RewardCadence cadence, Integer months, Integer count) {
    return new RewardRule(RewardType.PERCENT, new BigDecimal("12.5"), 0, "EUR", 30, 30, cadence, months, count, null);
  }

  private static Instant paris(String local) {
    return LocalDateTime.parse(local).atZone(PARIS).toInstant();
  }
}
