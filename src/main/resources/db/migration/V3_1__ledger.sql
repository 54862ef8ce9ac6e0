-- The commission ledger (issue 4): exchange rates, reversal links, change versions for stable
-- event ids, and the indexes the ledger's jobs and lookups use.

-- One unit of base_currency is worth rate units of quote_currency, per program.
CREATE TABLE fx_rates (
  program_id      bigint NOT NULL REFERENCES programs(id),
  base_currency   char(3) NOT NULL,
  quote_currency  char(3) NOT NULL,
  rate            numeric(20, 10) NOT NULL CHECK (rate > 0),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, base_currency, quote_currency)
);

-- A refund or clawback entry points at the commission it reverses; the original is never edited.
ALTER TABLE commissions ADD COLUMN reverses_id bigint REFERENCES commissions(id);
-- Bumped on every status change: the natural key of the change's firehose event.
ALTER TABLE commissions ADD COLUMN version integer NOT NULL DEFAULT 0;
-- Rejected leads are kept too, so a redelivered lead stays rejected instead of being credited later.
ALTER TABLE leads ADD COLUMN status text NOT NULL DEFAULT 'credited' CHECK (status IN ('credited', 'rejected'));
ALTER TABLE leads ADD COLUMN reject_reason text;
ALTER TABLE payouts ADD COLUMN commission_count integer NOT NULL DEFAULT 0;

CREATE INDEX commissions_conversion ON commissions (conversion_id) WHERE conversion_id IS NOT NULL;
CREATE INDEX commissions_payout ON commissions (payout_id) WHERE payout_id IS NOT NULL;
CREATE INDEX commissions_due_unpaid ON commissions (program_id, affiliate_id, currency)
  WHERE status = 'due' AND payout_id IS NULL;
CREATE INDEX rejected_events_program_time ON rejected_events (program_id, created_at);
CREATE INDEX leads_program_time ON leads (program_id, created_at);
