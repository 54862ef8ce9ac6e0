-- Money, round two (issue 10): cadence is counted per (customer, campaign). A customer's sales under
-- an every-payment campaign must not use up a one-time campaign's single commission. The binding
-- to an affiliate stays per program, on customers.

CREATE TABLE customer_campaigns (
  program_id             bigint NOT NULL REFERENCES programs(id),
  customer_id            bigint NOT NULL REFERENCES customers(id),
  campaign_id            bigint NOT NULL REFERENCES campaigns(id),
  -- The anchor of first_year and custom periods: the customer's first commissioned sale in the campaign.
  first_commissioned_at  timestamptz NOT NULL,
  commissioned_sales     integer NOT NULL CHECK (commissioned_sales > 0),
  PRIMARY KEY (customer_id, campaign_id)
);
CREATE INDEX customer_campaigns_program ON customer_campaigns (program_id);

-- Recounted from the ledger itself: every commissioned sale of a known customer, per campaign.
INSERT INTO customer_campaigns (program_id, customer_id, campaign_id, first_commissioned_at, commissioned_sales)
SELECT v.program_id, v.customer_id, m.campaign_id, min(v.occurred_at), count(*)
  FROM commissions m JOIN conversions v ON v.id = m.conversion_id
 WHERE m.kind = 'sale' AND v.customer_id IS NOT NULL
 GROUP BY v.program_id, v.customer_id, m.campaign_id;

-- The per-program counters they replace.
ALTER TABLE customers DROP COLUMN first_commissioned_at;
ALTER TABLE customers DROP COLUMN commissioned_sales;
