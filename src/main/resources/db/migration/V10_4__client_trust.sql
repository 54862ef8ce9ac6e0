-- Money, round two (issue 10): conversions reported by the shopper's browser (/c.gif) are marked,
-- since their amount and transaction id come from the browser; a campaign may hold their
-- commissions for the owner's approval.

ALTER TABLE conversions ADD COLUMN trust text NOT NULL DEFAULT 'server' CHECK (trust IN ('server', 'client'));
ALTER TABLE campaigns ADD COLUMN hold_client_conversions boolean NOT NULL DEFAULT false;
-- A held commission stays pending until the owner approves it (to due) or voids it; the due job
-- leaves it alone.
ALTER TABLE commissions ADD COLUMN held boolean NOT NULL DEFAULT false;
DROP INDEX commissions_status_due;
CREATE INDEX commissions_status_due ON commissions (status, due_at) WHERE status = 'pending' AND NOT held;
