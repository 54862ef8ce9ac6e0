package io.tracklane.domain;

/**
 * How a conversion reached us. A server-to-server postback is the advertiser's word; a client-side
 * conversion (the browser's pixel, /c.gif) carries an amount and a transaction id the shopper's
 * browser sent, so a campaign may hold its commissions for the owner's approval.
 */
public enum Trust {
  SERVER("server"),
  CLIENT("client");

  private final String wire;

  Trust(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The trust a fact names; a fact without one came from a server postback. */
  public static Trust fromWire(String value) {
    return "client".equals(value) ? CLIENT : SERVER;
  }

  /** Whether a commission of this conversion waits for the owner's approval under the campaign. */
  public boolean held(boolean campaignHoldsClientConversions) {
    return this == CLIENT && campaignHoldsClientConversions;
  }
}
