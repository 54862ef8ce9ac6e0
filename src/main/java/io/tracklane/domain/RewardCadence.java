package io.tracklane.domain;

/** Which of a customer's sales earn a commission. */
public enum RewardCadence {
  ONE_TIME("one_time"),
  FIRST_YEAR("first_year"),
  EVERY_PAYMENT("every_payment"),
  CUSTOM("custom");

  private final String wire;

  RewardCadence(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static RewardCadence fromWire(String value) {
    for (RewardCadence c : values()) {
      if (c.wire.equals(value)) {
        return c;
      }
    }
    throw new InvalidInput("reward_cadence", "must be one_time, first_year, every_payment or custom");
  }
}
