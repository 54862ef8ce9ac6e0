-- Money, round two (issue 10): a rejected fact no longer burns its transaction id. Resent after its
-- cause is fixed, or retried through the API, it is reprocessed; these columns say what became of it.

-- When the fact happened (its CloudEvent time): a retry replays it at that time, so the cookie
-- window and the payout delay are judged as at first.
ALTER TABLE rejected_events ADD COLUMN occurred_at timestamptz;
-- Set when a later attempt credited the fact; NULL while it stays rejected.
ALTER TABLE rejected_events ADD COLUMN resolved_at timestamptz;
-- How many times the fact was rejected (the first rejection and every failed retry or resend).
ALTER TABLE rejected_events ADD COLUMN attempts integer NOT NULL DEFAULT 1;
CREATE INDEX rejected_events_unresolved ON rejected_events (program_id, reason) WHERE resolved_at IS NULL;
-- Refunds waiting for their sale are found by the sale's transaction id.
CREATE INDEX conversions_waiting_refunds ON conversions (program_id, transaction_id)
  WHERE kind = 'refund' AND status = 'rejected';
