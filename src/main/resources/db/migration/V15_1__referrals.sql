-- Referrals (clicks) through the API: filtered by affiliate and time, and by the e-mail of the
-- customer a click's lead or sale brought; the customer of a click is found through these.
CREATE INDEX clicks_program_affiliate_time ON clicks (program_id, affiliate_id, created_at);
CREATE INDEX conversions_click ON conversions (program_id, click_id) WHERE click_id IS NOT NULL;
CREATE INDEX leads_click ON leads (program_id, click_id) WHERE click_id IS NOT NULL;
CREATE INDEX customers_email ON customers (program_id, lower(email)) WHERE email IS NOT NULL;
