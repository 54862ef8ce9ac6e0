-- Managed API keys: an optional expiry, usage counted in batches, and rate limits that a key or its
-- program may set for itself (null: the configured default, api.rate_limit.requests).
ALTER TABLE api_keys
  ADD COLUMN expires_at    timestamptz,
  ADD COLUMN request_count bigint NOT NULL DEFAULT 0,
  ADD COLUMN rate_limit    integer CHECK (rate_limit > 0);

ALTER TABLE programs
  ADD COLUMN api_rate_limit integer CHECK (api_rate_limit > 0);
