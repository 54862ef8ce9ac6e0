-- The domain of DESIGN.md. Every table carries program_id; every query filters on it.
-- Money is bigint minor units plus a char(3) ISO 4217 currency.

CREATE TABLE programs (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name                 text NOT NULL,
  time_zone            text NOT NULL,
  currency             char(3) NOT NULL,
  postback_token_hash  text NOT NULL UNIQUE,
  -- Needed in clear to verify HMAC signatures of postback bodies.
  postback_secret      text NOT NULL,
  fallback_url         text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE affiliates (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id    bigint NOT NULL REFERENCES programs(id),
  first_name    text NOT NULL DEFAULT '',
  last_name     text NOT NULL DEFAULT '',
  email         text NOT NULL,
  payout_email  text,
  time_zone     text,
  state         text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'pending', 'disabled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, email)
);

CREATE TABLE api_keys (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id    bigint NOT NULL REFERENCES programs(id),
  kind          text NOT NULL CHECK (kind IN ('owner', 'affiliate')),
  role          text NOT NULL CHECK (role IN ('admin', 'manager', 'reporting', 'affiliate')),
  affiliate_id  bigint REFERENCES affiliates(id),
  label         text NOT NULL DEFAULT '',
  -- The first characters, to recognise a key in listings; the secret is only in key_hash.
  display_prefix text NOT NULL,
  key_hash      text NOT NULL UNIQUE,
  ip_allowlist  text[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  CHECK ((kind = 'affiliate') = (affiliate_id IS NOT NULL))
);
CREATE INDEX api_keys_program ON api_keys (program_id);

CREATE TABLE campaigns (
  id                            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id                    bigint NOT NULL REFERENCES programs(id),
  name                          text NOT NULL,
  description                   text NOT NULL DEFAULT '',
  landing_page_url              text NOT NULL,
  allowed_domains               text[] NOT NULL DEFAULT '{}',
  currency                      char(3) NOT NULL,
  reward_type                   text NOT NULL CHECK (reward_type IN ('percent', 'amount')),
  commission_percent            numeric(9, 4) NOT NULL DEFAULT 0 CHECK (commission_percent BETWEEN 0 AND 100),
  commission_amount_cents       bigint NOT NULL DEFAULT 0 CHECK (commission_amount_cents >= 0),
  lead_reward_cents             bigint CHECK (lead_reward_cents >= 0),
  cookie_window_days            integer NOT NULL DEFAULT 30 CHECK (cookie_window_days BETWEEN 1 AND 3650),
  minimum_payout_cents          bigint NOT NULL DEFAULT 0 CHECK (minimum_payout_cents >= 0),
  payout_delay_days             integer NOT NULL DEFAULT 30 CHECK (payout_delay_days >= 0),
  reward_cadence                text NOT NULL DEFAULT 'every_payment'
                                CHECK (reward_cadence IN ('one_time', 'first_year', 'every_payment', 'custom')),
  max_commission_period_months  integer CHECK (max_commission_period_months > 0),
  max_commissions               integer CHECK (max_commissions > 0),
  auto_approve_affiliates       boolean NOT NULL DEFAULT true,
  accept_client_conversions     boolean NOT NULL DEFAULT false,
  state                         text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
  created_at                    timestamptz NOT NULL DEFAULT now(),
  updated_at                    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_program ON campaigns (program_id, id);

CREATE TABLE enrollments (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id    bigint NOT NULL REFERENCES programs(id),
  campaign_id   bigint NOT NULL REFERENCES campaigns(id),
  affiliate_id  bigint NOT NULL REFERENCES affiliates(id),
  state         text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'pending', 'disabled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, affiliate_id)
);
CREATE INDEX enrollments_program ON enrollments (program_id, affiliate_id);

CREATE TABLE links (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id       bigint NOT NULL REFERENCES programs(id),
  campaign_id      bigint NOT NULL REFERENCES campaigns(id),
  affiliate_id     bigint NOT NULL REFERENCES affiliates(id),
  code             text NOT NULL UNIQUE,
  destination_url  text,
  state            text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX links_program ON links (program_id, affiliate_id);

CREATE TABLE coupons (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id    bigint NOT NULL REFERENCES programs(id),
  campaign_id   bigint NOT NULL REFERENCES campaigns(id),
  affiliate_id  bigint NOT NULL REFERENCES affiliates(id),
  code          text NOT NULL,
  state         text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, code)
);

-- Clicks are the high-volume table: range-partitioned by time. The click id encodes its issue
-- time, so (click_id, created_at) is a natural key and a redelivered click conflicts.
CREATE TABLE clicks (
  click_id      text NOT NULL,
  created_at    timestamptz NOT NULL,
  program_id    bigint NOT NULL,
  link_id       bigint NOT NULL,
  campaign_id   bigint NOT NULL,
  affiliate_id  bigint NOT NULL,
  sub1 text, sub2 text, sub3 text, sub4 text, sub5 text,
  source        text,
  ip            text,
  user_agent    text,
  referer       text,
  creditable    boolean NOT NULL DEFAULT true,
  flags         text[] NOT NULL DEFAULT '{}',
  conversion_state text NOT NULL DEFAULT 'not_converted'
                CHECK (conversion_state IN ('not_converted', 'lead', 'converted')),
  PRIMARY KEY (click_id, created_at)
) PARTITION BY RANGE (created_at);
CREATE TABLE clicks_default PARTITION OF clicks DEFAULT;
DO $$
DECLARE m date := date '2025-01-01';
BEGIN
  WHILE m < date '2028-01-01' LOOP
    EXECUTE format('CREATE TABLE clicks_%s PARTITION OF clicks FOR VALUES FROM (%L) TO (%L)',
                   to_char(m, 'YYYY_MM'), m, m + interval '1 month');
    m := m + interval '1 month';
  END LOOP;
END $$;
CREATE INDEX clicks_program_time ON clicks (program_id, created_at);

CREATE TABLE customers (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id             bigint NOT NULL REFERENCES programs(id),
  -- The advertiser's customer id, else 'email:' || lower(email).
  customer_key           text NOT NULL,
  external_id            text,
  email                  text,
  affiliate_id           bigint REFERENCES affiliates(id),
  campaign_id            bigint REFERENCES campaigns(id),
  bound_at               timestamptz,
  first_commissioned_at  timestamptz,
  commissioned_sales     integer NOT NULL DEFAULT 0,
  created_at             timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, customer_key)
);

CREATE TABLE leads (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id      bigint NOT NULL REFERENCES programs(id),
  event_id        text NOT NULL,
  transaction_id  text NOT NULL,
  customer_id     bigint REFERENCES customers(id),
  click_id        text,
  affiliate_id    bigint REFERENCES affiliates(id),
  campaign_id     bigint REFERENCES campaigns(id),
  occurred_at     timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, transaction_id)
);

-- Sales and refunds reported by postback; idempotent by (program, transaction id, kind).
CREATE TABLE conversions (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id        bigint NOT NULL REFERENCES programs(id),
  event_id          text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('sale', 'refund')),
  transaction_id    text NOT NULL,
  amount_minor      bigint NOT NULL,
  currency          char(3) NOT NULL,
  click_id          text,
  coupon            text,
  customer_id       bigint REFERENCES customers(id),
  affiliate_id      bigint REFERENCES affiliates(id),
  campaign_id       bigint REFERENCES campaigns(id),
  link_id           bigint,
  status            text NOT NULL CHECK (status IN ('credited', 'rejected')),
  reject_reason     text,
  occurred_at       timestamptz NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, transaction_id, kind)
);
CREATE INDEX conversions_program_time ON conversions (program_id, created_at);

CREATE TABLE payouts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id    bigint NOT NULL REFERENCES programs(id),
  affiliate_id  bigint NOT NULL REFERENCES affiliates(id),
  currency      char(3) NOT NULL,
  amount_minor  bigint NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  paid_at       timestamptz
);
CREATE INDEX payouts_program ON payouts (program_id, affiliate_id);

-- The ledger. Append-only in meaning: a refund adds a negative row, it never edits an amount.
CREATE TABLE commissions (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id      bigint NOT NULL REFERENCES programs(id),
  -- Deterministic: derived from the fact that caused it, so redelivery conflicts.
  source_key      text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('sale', 'lead', 'refund', 'clawback')),
  conversion_id   bigint REFERENCES conversions(id),
  lead_id         bigint REFERENCES leads(id),
  affiliate_id    bigint NOT NULL REFERENCES affiliates(id),
  campaign_id     bigint NOT NULL REFERENCES campaigns(id),
  amount_minor    bigint NOT NULL,
  currency        char(3) NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'due', 'paid', 'voided')),
  due_at          timestamptz NOT NULL,
  payout_id       bigint REFERENCES payouts(id),
  fx_rate         numeric(20, 10),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, source_key)
);
CREATE INDEX commissions_program_time ON commissions (program_id, created_at);
CREATE INDEX commissions_status_due ON commissions (status, due_at) WHERE status = 'pending';

-- Facts the ledger could not credit, with the reason; visible through the API.
CREATE TABLE rejected_events (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id      bigint NOT NULL REFERENCES programs(id),
  event_id        text NOT NULL,
  event_type      text NOT NULL,
  transaction_id  text,
  reason          text NOT NULL,
  payload         jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, event_id)
);

CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id   bigint NOT NULL REFERENCES programs(id),
  actor_key_id bigint REFERENCES api_keys(id),
  action       text NOT NULL,
  entity_type  text NOT NULL,
  entity_id    text NOT NULL,
  before       jsonb,
  after        jsonb,
  ip           text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_program ON audit_log (program_id, created_at);

-- Transactional outbox: derived events written with the change that caused them, published to
-- Kafka after commit, deleted once the broker acknowledged them.
CREATE TABLE outbox (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id  bigint NOT NULL,
  event_id    text NOT NULL UNIQUE,
  payload     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
