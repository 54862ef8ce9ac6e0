-- Money, round two (issue 10): several refunds per sale, each identified among its sale's refunds.

-- '' for a sale; for a refund its identity (domain/Refunds.identity): "id:<refund_id>", else
-- "amount:<major units>", else "rest". A retried refund has the same identity and applies once.
ALTER TABLE conversions ADD COLUMN refund_key text NOT NULL DEFAULT '';
-- Existing refunds were one per sale: their identity is their amount.
UPDATE conversions SET refund_key = 'amount:' || trim_scale(amount_minor::numeric
    / 10::numeric ^ CASE WHEN currency IN ('JPY', 'KRW', 'VND', 'CLP', 'ISK', 'UGX', 'XAF', 'XOF', 'PYG', 'RWF') THEN 0
                WHEN currency IN ('BHD', 'KWD', 'OMR', 'JOD', 'IQD', 'LYD', 'TND') THEN 3 ELSE 2 END)
 WHERE kind = 'refund';
ALTER TABLE conversions DROP CONSTRAINT conversions_program_id_transaction_id_kind_key;
ALTER TABLE conversions ADD CONSTRAINT conversions_identity UNIQUE (program_id, transaction_id, kind, refund_key);
-- The advertiser's refund id, when it sent one.
ALTER TABLE conversions ADD COLUMN refund_id text;
-- Reversal entries are found by the commission they reverse (a status change carries to them).
CREATE INDEX commissions_reverses ON commissions (reverses_id) WHERE reverses_id IS NOT NULL;
