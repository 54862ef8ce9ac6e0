-- Issue 8: the two commission triggers of V17_1 (a status change, a reversal entry) counted money
-- into a commission's cell with the same upsert, written twice; both now call one function.
-- Behaviour unchanged: the amount leaves the old status's column and enters the new one's, in the
-- row of the cell (a reversal entry has no old status).
CREATE FUNCTION stats_commission_count(c stats_commission_cells, cur text, new_status text, new_amount bigint,
                                       old_status text, old_amount bigint) RETURNS void LANGUAGE sql
  SET search_path FROM CURRENT  -- the rollup tables of this schema, whoever calls it
  AS $$
  INSERT INTO stats_rollups AS r (program_id, bucket, campaign_id, affiliate_id, link_id, source, sub1, sub2, sub3,
                                  sub4, sub5, device, currency,
                                  commission_pending_minor, commission_due_minor, commission_paid_minor,
                                  commission_voided_minor)
  SELECT (c).program_id, (c).bucket, (c).campaign_id, (c).affiliate_id, (c).link_id, (c).source, (c).sub1, (c).sub2,
         (c).sub3, (c).sub4, (c).sub5, (c).device, cur,
         (CASE WHEN new_status = 'pending' THEN new_amount ELSE 0 END)
           - (CASE WHEN old_status = 'pending' THEN old_amount ELSE 0 END),
         (CASE WHEN new_status = 'due' THEN new_amount ELSE 0 END)
           - (CASE WHEN old_status = 'due' THEN old_amount ELSE 0 END),
         (CASE WHEN new_status = 'paid' THEN new_amount ELSE 0 END)
           - (CASE WHEN old_status = 'paid' THEN old_amount ELSE 0 END),
         (CASE WHEN new_status = 'voided' THEN new_amount ELSE 0 END)
           - (CASE WHEN old_status = 'voided' THEN old_amount ELSE 0 END)
  ON CONFLICT (program_id, bucket, campaign_id, affiliate_id, link_id, source, sub1, sub2, sub3, sub4, sub5, device,
               currency) DO UPDATE
    SET commission_pending_minor = r.commission_pending_minor + EXCLUDED.commission_pending_minor,
        commission_due_minor = r.commission_due_minor + EXCLUDED.commission_due_minor,
        commission_paid_minor = r.commission_paid_minor + EXCLUDED.commission_paid_minor,
        commission_voided_minor = r.commission_voided_minor + EXCLUDED.commission_voided_minor
$$;

CREATE OR REPLACE FUNCTION stats_commission_moved() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT  -- the rollup tables of this schema, whoever updates a commission
  AS $$
DECLARE
  c stats_commission_cells%ROWTYPE;
BEGIN
  SELECT * INTO c FROM stats_commission_cells WHERE commission_id = NEW.id;
  IF FOUND THEN
    PERFORM stats_commission_count(c, c.currency, NEW.status, NEW.amount_minor, OLD.status, OLD.amount_minor);
  END IF;
  RETURN NULL;
END $$;

-- A refund's reversal entry (or clawback) counts in the cell of the commission it reverses, under
-- its own status; it is inserted once (its source key is unique), so this runs once per entry.
CREATE OR REPLACE FUNCTION stats_commission_reversed() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT  -- the rollup tables of this schema, whoever inserts a commission
  AS $$
DECLARE
  c stats_commission_cells%ROWTYPE;
BEGIN
  SELECT * INTO c FROM stats_commission_cells WHERE commission_id = NEW.reverses_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO stats_commission_cells (commission_id, program_id, bucket, campaign_id, affiliate_id, link_id, source,
                                      sub1, sub2, sub3, sub4, sub5, device, currency)
  VALUES (NEW.id, c.program_id, c.bucket, c.campaign_id, c.affiliate_id, c.link_id, c.source, c.sub1, c.sub2, c.sub3,
          c.sub4, c.sub5, c.device, NEW.currency)
  ON CONFLICT (commission_id) DO NOTHING;
  PERFORM stats_commission_count(c, NEW.currency, NEW.status, NEW.amount_minor, NULL, 0);
  RETURN NULL;
END $$;
