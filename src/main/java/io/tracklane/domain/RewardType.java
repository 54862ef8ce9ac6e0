package io.tracklane.domain;

/** How a sale's commission is computed: a percent of the sale or a flat amount. */
public enum RewardType {
  PERCENT("percent"),
  AMOUNT("amount");

  private final String wire;

  RewardType(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static RewardType fromWire(String value) {
    for (RewardType t : values()) {
      if (t.wire.equals(value)) {
        return t;
      }
    }
    throw new InvalidInput("reward_type", "must be percent or amount");
  }
}
