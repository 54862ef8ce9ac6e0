-- Issue 8: exact aggregates, written by the ledger in the transaction of the facts they count.
-- One row per (program, 15-minute UTC bucket, dimensions, currency). Every real UTC offset is a
-- multiple of 15 minutes (+5:30, +5:45, +12:45, DST shifts of 30 or 60 minutes), so every local day
-- and month of every program time zone is an exact union of buckets (docs/analytics.md).
-- Absent dimensions are stored as 0 / '' so the primary key can be the upsert's conflict target.
CREATE TABLE stats_rollups (
  program_id                 bigint      NOT NULL,
  bucket                     timestamptz NOT NULL,
  campaign_id                bigint      NOT NULL DEFAULT 0,
  affiliate_id               bigint      NOT NULL DEFAULT 0,
  link_id                    bigint      NOT NULL DEFAULT 0,
  source                     text        NOT NULL DEFAULT '',
  sub1                       text        NOT NULL DEFAULT '',
  sub2                       text        NOT NULL DEFAULT '',
  sub3                       text        NOT NULL DEFAULT '',
  sub4                       text        NOT NULL DEFAULT '',
  sub5                       text        NOT NULL DEFAULT '',
  device                     text        NOT NULL DEFAULT '',
  -- '' on rows of counts only; a currency on rows that carry amounts (and the counts of those facts).
  currency                   text        NOT NULL DEFAULT '',
  clicks                     bigint      NOT NULL DEFAULT 0,
  unique_clicks              bigint      NOT NULL DEFAULT 0,
  bot_clicks                 bigint      NOT NULL DEFAULT 0,
  duplicate_clicks           bigint      NOT NULL DEFAULT 0,
  impressions                bigint      NOT NULL DEFAULT 0,
  leads                      bigint      NOT NULL DEFAULT 0,
  conversions                bigint      NOT NULL DEFAULT 0,
  refunds                    bigint      NOT NULL DEFAULT 0,
  -- credited sales minus credited refunds, as the owner dashboard has always counted revenue
  revenue_minor              bigint      NOT NULL DEFAULT 0,
  refunded_minor             bigint      NOT NULL DEFAULT 0,
  commission_pending_minor   bigint      NOT NULL DEFAULT 0,
  commission_due_minor       bigint      NOT NULL DEFAULT 0,
  commission_paid_minor      bigint      NOT NULL DEFAULT 0,
  commission_voided_minor    bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (program_id, bucket, campaign_id, affiliate_id, link_id, source, sub1, sub2, sub3, sub4, sub5, device,
               currency)
);
CREATE INDEX stats_rollups_affiliate ON stats_rollups (program_id, affiliate_id, bucket);

-- Where each commission counted (its sale's or lead's cell), so a status change moves its amount
-- between the status columns of that same row, whichever transaction changes it.
CREATE TABLE stats_commission_cells (
  commission_id bigint      PRIMARY KEY,
  program_id    bigint      NOT NULL,
  bucket        timestamptz NOT NULL,
  campaign_id   bigint      NOT NULL,
  affiliate_id  bigint      NOT NULL,
  link_id       bigint      NOT NULL,
  source        text        NOT NULL,
  sub1          text        NOT NULL,
  sub2          text        NOT NULL,
  sub3          text        NOT NULL,
  sub4          text        NOT NULL,
  sub5          text        NOT NULL,
  device        text        NOT NULL,
  currency      text        NOT NULL
);

-- Impressions were not kept by the ledger; their ids make a redelivered impression count once.
CREATE TABLE impressions (
  program_id   bigint      NOT NULL,
  event_id     text        NOT NULL,
  link_id      bigint,
  campaign_id  bigint,
  affiliate_id bigint,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (program_id, event_id)
);

CREATE FUNCTION stats_commission_moved() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT  -- the rollup tables of this schema, whoever updates a commission
  AS $$
DECLARE
  c stats_commission_cells%ROWTYPE;
BEGIN
  SELECT * INTO c FROM stats_commission_cells WHERE commission_id = NEW.id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO stats_rollups AS r (program_id, bucket, campaign_id, affiliate_id, link_id, source, sub1, sub2, sub3,
                                  sub4, sub5, device, currency,
                                  commission_pending_minor, commission_due_minor, commission_paid_minor,
                                  commission_voided_minor)
  VALUES (c.program_id, c.bucket, c.campaign_id, c.affiliate_id, c.link_id, c.source, c.sub1, c.sub2, c.sub3, c.sub4,
          c.sub5, c.device, c.currency,
          (CASE WHEN NEW.status = 'pending' THEN NEW.amount_minor ELSE 0 END)
            - (CASE WHEN OLD.status = 'pending' THEN OLD.amount_minor ELSE 0 END),
          (CASE WHEN NEW.status = 'due' THEN NEW.amount_minor ELSE 0 END)
            - (CASE WHEN OLD.status = 'due' THEN OLD.amount_minor ELSE 0 END),
          (CASE WHEN NEW.status = 'paid' THEN NEW.amount_minor ELSE 0 END)
            - (CASE WHEN OLD.status = 'paid' THEN OLD.amount_minor ELSE 0 END),
          (CASE WHEN NEW.status = 'voided' THEN NEW.amount_minor ELSE 0 END)
            - (CASE WHEN OLD.status = 'voided' THEN OLD.amount_minor ELSE 0 END))
  ON CONFLICT (program_id, bucket, campaign_id, affiliate_id, link_id, source, sub1, sub2, sub3, sub4, sub5, device,
               currency) DO UPDATE
    SET commission_pending_minor = r.commission_pending_minor + EXCLUDED.commission_pending_minor,
        commission_due_minor = r.commission_due_minor + EXCLUDED.commission_due_minor,
        commission_paid_minor = r.commission_paid_minor + EXCLUDED.commission_paid_minor,
        commission_voided_minor = r.commission_voided_minor + EXCLUDED.commission_voided_minor;
  RETURN NULL;
END $$;

CREATE TRIGGER stats_commission_moved AFTER UPDATE OF status, amount_minor ON commissions
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.amount_minor IS DISTINCT FROM NEW.amount_minor)
  EXECUTE FUNCTION stats_commission_moved();

-- A refund's reversal entry (or clawback) counts in the cell of the commission it reverses, under
-- its own status; it is inserted once (its source key is unique), so this runs once per entry.
CREATE FUNCTION stats_commission_reversed() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT  -- the rollup tables of this schema, whoever updates a commission
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
  INSERT INTO stats_rollups AS r (program_id, bucket, campaign_id, affiliate_id, link_id, source, sub1, sub2, sub3,
                                  sub4, sub5, device, currency,
                                  commission_pending_minor, commission_due_minor, commission_paid_minor,
                                  commission_voided_minor)
  VALUES (c.program_id, c.bucket, c.campaign_id, c.affiliate_id, c.link_id, c.source, c.sub1, c.sub2, c.sub3, c.sub4,
          c.sub5, c.device, NEW.currency,
          CASE WHEN NEW.status = 'pending' THEN NEW.amount_minor ELSE 0 END,
          CASE WHEN NEW.status = 'due' THEN NEW.amount_minor ELSE 0 END,
          CASE WHEN NEW.status = 'paid' THEN NEW.amount_minor ELSE 0 END,
          CASE WHEN NEW.status = 'voided' THEN NEW.amount_minor ELSE 0 END)
  ON CONFLICT (program_id, bucket, campaign_id, affiliate_id, link_id, source, sub1, sub2, sub3, sub4, sub5, device,
               currency) DO UPDATE
    SET commission_pending_minor = r.commission_pending_minor + EXCLUDED.commission_pending_minor,
        commission_due_minor = r.commission_due_minor + EXCLUDED.commission_due_minor,
        commission_paid_minor = r.commission_paid_minor + EXCLUDED.commission_paid_minor,
        commission_voided_minor = r.commission_voided_minor + EXCLUDED.commission_voided_minor;
  RETURN NULL;
END $$;

CREATE TRIGGER stats_commission_reversed AFTER INSERT ON commissions
  FOR EACH ROW WHEN (NEW.reverses_id IS NOT NULL) EXECUTE FUNCTION stats_commission_reversed();
