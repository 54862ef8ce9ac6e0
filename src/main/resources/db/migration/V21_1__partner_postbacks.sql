-- Partner postbacks (outbound): endpoints an owner (program-wide, affiliate_id NULL) or an
-- affiliate (its own events only) registers, one delivery per (endpoint, firehose event), and
-- every attempt of every delivery. The retry schedule lives here, so it survives restarts and
-- several webhooks processes share it (claimed with FOR UPDATE SKIP LOCKED plus a lease).
CREATE TABLE webhook_endpoints (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id         bigint NOT NULL REFERENCES programs(id),
  affiliate_id       bigint REFERENCES affiliates(id),
  url                text NOT NULL,
  method             text NOT NULL CHECK (method IN ('GET', 'POST')),
  events             text[] NOT NULL,
  -- POST only: the whsec_ signing secret, AES-256-GCM encrypted with webhooks.secret_key
  -- ("v1:" + base64(nonce || ciphertext || tag)); never answered after creation.
  secret_encrypted   text,
  state              text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
  -- The circuit breaker: consecutive failed attempts, and until when deliveries are held.
  consecutive_failures integer NOT NULL DEFAULT 0,
  breaker_open_until timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((method = 'POST') = (secret_encrypted IS NOT NULL))
);
CREATE INDEX webhook_endpoints_program ON webhook_endpoints (program_id, affiliate_id);

CREATE TABLE webhook_deliveries (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id       bigint NOT NULL,
  endpoint_id      bigint NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  -- The firehose event that caused it: one delivery per endpoint and event, however often the
  -- event is read again.
  event_id         text NOT NULL,
  event            text NOT NULL,
  -- The macro values (GET) and the body's data (POST), resolved when the event was read.
  context          jsonb NOT NULL,
  occurred_at      timestamptz NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempt_count    integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  -- Retries stop after this (created_at + webhooks.retry_window_seconds; reset by a redelivery).
  give_up_at       timestamptz NOT NULL,
  last_error       text,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

CREATE TABLE webhook_attempts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id     bigint NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  program_id      bigint NOT NULL,
  attempted_at    timestamptz NOT NULL,
  -- The HTTP status answered, or NULL when there was none (refused address, timeout, connection).
  status_code     integer,
  latency_ms      integer NOT NULL,
  error           text,
  response_body   text
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
