package io.tracklane.api;

import io.tracklane.api.Expansion.Relation;
import io.tracklane.store.AffiliateRepository;
import io.tracklane.store.CampaignRepository;
import io.tracklane.store.CommissionRepository;
import io.tracklane.store.ConversionRepository;
import io.tracklane.store.Filter;
import io.tracklane.store.PayoutRepository;
import io.vertx.sqlclient.Pool;

/** What each ledger resource may expand, and the one program-scoped query that loads each relation. */
final class Relations {
  final Expansion commissions;
  final Expansion conversions;
  final Expansion leads;
  final Expansion payouts;

  Relations(Pool pool) {
    CommissionRepository commissionRows = new CommissionRepository(pool);
    ConversionRepository conversionRows = new ConversionRepository(pool);
    AffiliateRepository affiliateRows = new AffiliateRepository(pool);
    CampaignRepository campaignRows = new CampaignRepository(pool);
    PayoutRepository payoutRows = new PayoutRepository(pool);
    Relation affiliate = Relation.one("affiliate", "affiliate_id",
        (program, ids) -> affiliateRows.all(Filter.program("a.program_id", program).anyOf("a.id", ids)));
    Relation campaign = Relation.one("campaign", "campaign_id",
        (program, ids) -> campaignRows.all(Filter.program(program).anyOf("id", ids)));
    Relation sale = Relation.one("sale", "conversion_id",
        (program, ids) -> conversionRows.all(Filter.program("v.program_id", program).anyOf("v.id", ids)));
    Relation payout = Relation.one("payout", "payout_id",
        (program, ids) -> payoutRows.all(Filter.program("p.program_id", program).anyOf("p.id", ids)));
    Relation conversionCommissions = Relation.many("commissions", "conversion_id", (program, ids) -> commissionRows
        .all(Filter.program("m.program_id", program).anyOf("m.conversion_id", ids)));
    Relation payoutCommissions = Relation.many("commissions", "payout_id", (program, ids) -> commissionRows
        .all(Filter.program("m.program_id", program).anyOf("m.payout_id", ids)));
    this.commissions = new Expansion(sale, affiliate, campaign, payout);
    this.conversions = new Expansion(affiliate, campaign, conversionCommissions);
    this.leads = new Expansion(affiliate, campaign);
    this.payouts = new Expansion(affiliate, payoutCommissions);
  }
}
