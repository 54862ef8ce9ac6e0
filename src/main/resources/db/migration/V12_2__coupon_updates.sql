-- Coupons can be read and updated one by one (issue 7): a description for the owner, and when the
-- coupon last changed.
ALTER TABLE coupons ADD COLUMN description text NOT NULL DEFAULT '';
ALTER TABLE coupons ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
UPDATE coupons SET updated_at = created_at;
CREATE INDEX coupons_program ON coupons (program_id, affiliate_id);
