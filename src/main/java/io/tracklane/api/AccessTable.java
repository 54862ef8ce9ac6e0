package io.tracklane.api;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Who may call each operation of the API: the one declared table, keyed by the operationId of the
 * route that matched (so no path spelling can reach another row). An operation absent from the
 * table is refused to everyone.
 */
public final class AccessTable {
  /** The kinds of key. Owner keys carry a role; affiliate keys act for one affiliate. */
  public enum Caller { ADMIN, MANAGER, REPORTING, AFFILIATE }

  /** One row: whether a key is needed at all, and which callers may use the operation. */
  public record Rule(boolean needsKey, Set<Caller> callers) {
    public boolean allows(Caller caller) {
      return !needsKey || callers.contains(caller);
    }
  }

  static final Rule PUBLIC = new Rule(false, EnumSet.allOf(Caller.class));
  /** Reads of program data: every owner role. */
  static final Rule OWNER_READ = new Rule(true, EnumSet.of(Caller.ADMIN, Caller.MANAGER, Caller.REPORTING));
  /** Changes to program data: admins and managers. */
  static final Rule OWNER_WRITE = new Rule(true, EnumSet.of(Caller.ADMIN, Caller.MANAGER));
  /** Keys and program settings: admins only. */
  static final Rule ADMIN = new Rule(true, EnumSet.of(Caller.ADMIN));
  /** The partner API: an affiliate key, on its own data only. */
  static final Rule AFFILIATE = new Rule(true, EnumSet.of(Caller.AFFILIATE));

  /** The event stream: every owner role, and affiliate keys (the handler narrows them to their own events). */
  static final Rule OWNER_READ_OR_AFFILIATE = new Rule(true, EnumSet.of(Caller.ADMIN, Caller.MANAGER, Caller.REPORTING,
      Caller.AFFILIATE));

  private static final Map<String, Rule> RULES = Map.ofEntries(
      Map.entry("getOpenApiDocument", PUBLIC),
      Map.entry("createApiKey", ADMIN),
      Map.entry("listApiKeys", ADMIN),
      Map.entry("revokeApiKey", ADMIN),
      Map.entry("rotateAffiliateApiKey", AFFILIATE),
      // Who changed what, from where: an admin's view, like the keys themselves.
      Map.entry("listAuditLog", ADMIN),
      Map.entry("listCampaigns", OWNER_READ),
      Map.entry("getCampaign", OWNER_READ),
      Map.entry("createCampaign", OWNER_WRITE),
      Map.entry("updateCampaign", OWNER_WRITE),
      Map.entry("listAffiliates", OWNER_READ),
      Map.entry("getAffiliate", OWNER_READ),
      Map.entry("enrollAffiliate", OWNER_WRITE),
      Map.entry("updateAffiliate", OWNER_WRITE),
      Map.entry("listLinks", OWNER_READ),
      Map.entry("getLink", OWNER_READ),
      Map.entry("createLink", OWNER_WRITE),
      Map.entry("updateLink", OWNER_WRITE),
      Map.entry("listCoupons", OWNER_READ),
      Map.entry("getCoupon", OWNER_READ),
      Map.entry("updateCoupon", OWNER_WRITE),
      Map.entry("createCoupon", OWNER_WRITE),
      Map.entry("listCommissions", OWNER_READ),
      Map.entry("getCommission", OWNER_READ),
      Map.entry("updateCommissionStatus", OWNER_WRITE),
      Map.entry("listConversions", OWNER_READ),
      Map.entry("listReferrals", OWNER_READ),
      Map.entry("listLeads", OWNER_READ),
      Map.entry("getAnalytics", OWNER_READ),
      Map.entry("getReport", OWNER_READ),
      Map.entry("streamEvents", OWNER_READ_OR_AFFILIATE),
      Map.entry("listRejectedEvents", OWNER_READ),
      Map.entry("retryRejectedEvent", OWNER_WRITE),
      Map.entry("retryRejectedEvents", OWNER_WRITE),
      Map.entry("getPostbackStatus", OWNER_READ),
      Map.entry("listPayouts", OWNER_READ),
      Map.entry("getPayout", OWNER_READ),
      Map.entry("runPayouts", OWNER_WRITE),
      Map.entry("markPayoutPaid", OWNER_WRITE),
      Map.entry("listFxRates", OWNER_READ),
      // Exchange rates decide what commissions are worth: a program setting.
      Map.entry("putFxRate", ADMIN),
      Map.entry("listWebhooks", OWNER_READ),
      Map.entry("getWebhook", OWNER_READ),
      Map.entry("listWebhookDeliveries", OWNER_READ),
      Map.entry("createWebhook", OWNER_WRITE),
      Map.entry("updateWebhook", OWNER_WRITE),
      Map.entry("deleteWebhook", OWNER_WRITE),
      Map.entry("redeliverWebhookDelivery", OWNER_WRITE),
      Map.entry("listAffiliatePostbacks", AFFILIATE),
      Map.entry("getAffiliatePostback", AFFILIATE),
      Map.entry("createAffiliatePostback", AFFILIATE),
      Map.entry("updateAffiliatePostback", AFFILIATE),
      Map.entry("deleteAffiliatePostback", AFFILIATE),
      Map.entry("listAffiliatePostbackDeliveries", AFFILIATE),
      Map.entry("redeliverAffiliatePostbackDelivery", AFFILIATE),
      Map.entry("getAffiliateSettings", AFFILIATE),
      Map.entry("listAffiliateCampaigns", AFFILIATE),
      Map.entry("listAffiliateCommissions", AFFILIATE),
      Map.entry("listAffiliateReferrals", AFFILIATE),
      Map.entry("listAffiliatePayouts", AFFILIATE),
      Map.entry("listAffiliateLinks", AFFILIATE),
      Map.entry("listAffiliateCoupons", AFFILIATE),
      Map.entry("updateAffiliateSettings", AFFILIATE),
      Map.entry("getAffiliateDashboardSummary", AFFILIATE),
      Map.entry("getAffiliateReport", AFFILIATE));

  private AccessTable() {
  }

  /** The row of an operation, or null: nobody may call it. */
  public static Rule rule(String operationId) {
    return RULES.get(operationId);
  }

  /** Every operation the table declares. */
  public static Set<String> operations() {
    return RULES.keySet();
  }
}
