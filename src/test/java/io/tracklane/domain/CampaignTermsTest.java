package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The campaign rules, without Vert.x: defaults, fields that depend on each other, cadences. */
class CampaignTermsTest {
  private static CampaignTerms.Draft draft(String rewardType, BigDecimal percent, Long amount, String cadence,
      Long period, Long count, String currency, List<String> domains) {
    return new CampaignTerms.Draft("Spring", null, "https://shop.example/", domains, currency, rewardType, percent,
        amount, null, null, null, null, cadence, period, count, null, null, null, null, null, null);
  }

  @Test
  void defaultsAreAppliedOnce() {
    CampaignTerms t = CampaignTerms.of(draft("percent", BigDecimal.TEN, null, null, null, null, null, null), "EUR");
    assertEquals("EUR", t.currency());
    assertEquals("every_payment", t.rewardCadence());
    assertEquals(30, t.cookieWindowDays());
    assertEquals(30, t.payoutDelayDays());
    assertEquals(0L, t.commissionAmountCents());
    assertEquals("active", t.state());
    assertEquals(List.of(), t.allowedDomains());
    assertEquals("", t.description());
  }

  @Test
  void firstYearIsTwelveMonthsWithoutACountWhateverElseWasSent() {
    CampaignTerms t = CampaignTerms.of(draft("amount", null, 500L, "first_year", null, 3L, "JPY", null), "EUR");
    assertEquals(12, t.maxCommissionPeriodMonths());
    assertNull(t.maxCommissions());
    assertEquals("JPY", t.currency());
    InvalidInput e = assertThrows(InvalidInput.class,
        () -> CampaignTerms.of(draft("amount", null, 500L, "first_year", 6L, null, null, null), "EUR"));
    assertEquals("max_commission_period_months", e.field());
  }

  @Test
  void eachRuleNamesTheFieldItConcerns() {
    Object[][] cases = {
        {draft("percent", null, null, null, null, null, null, null), "commission_percent"},
        {draft("amount", BigDecimal.ONE, null, null, null, null, null, null), "commission_amount_cents"},
        {draft(null, BigDecimal.ONE, null, null, null, null, null, null), "reward_type"},
        {draft("amount", null, 1L, "custom", null, null, null, null), "reward_cadence"},
        {draft("amount", null, 1L, null, null, null, "EURO", null), "currency"},
        {draft("amount", null, 1L, null, null, null, null, List.of("com")), "allowed_domains"},
    };
    for (Object[] c : cases) {
      InvalidInput e = assertThrows(InvalidInput.class, () -> CampaignTerms.of((CampaignTerms.Draft) c[0], "EUR"));
      assertEquals(c[1], e.field(), e.getMessage());
    }
  }

  @Test
  void allowedDomainsAreNormalisedAndDeduplicated() {
    CampaignTerms t = CampaignTerms.of(draft("amount", null, 1L, null, null, null, null,
        List.of("Shop.Example", "shop.example", "blog.example.co.uk")), "EUR");
    assertEquals(List.of("shop.example", "blog.example.co.uk"), t.allowedDomains());
  }
}
