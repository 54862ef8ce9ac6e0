#!/usr/bin/env bash
# Partner postbacks delivered per second to a local receiver (issue 11).
#
# Writes N pending deliveries (GET endpoints with macros, spread over ENDPOINTS endpoints of one
# program) straight into PostgreSQL, starts one process running only the webhooks role, and measures
# from its first attempt to its last: deliveries/s, plus the attempt latency percentiles it recorded.
# The edge and the ledger are not measured here (see run.sh); only claiming, rendering, the address
# check, the HTTP call and recording the attempt.
#
# Needs java 17+, mvn, psql, PostgreSQL, Redis and Kafka as in config/application.yaml (KAFKA_BOOTSTRAP,
# default 127.0.0.1:9092: the role's consumer subscribes even though no event is sent).
# Usage: load-tests/webhooks.sh            N=20000 ENDPOINTS=20 BATCH=200
set -euo pipefail
cd "$(dirname "$0")/.."
N="${N:-20000}"
ENDPOINTS="${ENDPOINTS:-20}"
BATCH="${BATCH:-200}"
KAFKA="${KAFKA_BOOTSTRAP:-127.0.0.1:9092}"
PG="${PGURL:-postgresql://postgres@127.0.0.1:5432/test}"
SCHEMA=tracklane_wbench
RECEIVER_PORT="${RECEIVER_PORT:-18090}"
OPS_PORT="${OPS_PORT:-19091}"
LOGS="$(mktemp -d)"
JAR=target/tracklane.jar

[ -f "$JAR" ] || mvn -B -ntp -q -DskipTests package
KEY="$(openssl rand -base64 32)"
CLICK_KEY="1:$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')"
export TRACKLANE_POSTGRES_SCHEMA="$SCHEMA" TRACKLANE_REDIS_KEY_PREFIX="wbench:" \
  TRACKLANE_KAFKA_BOOTSTRAP_SERVERS="$KAFKA" TRACKLANE_KAFKA_TOPIC_FACTS=wbench.facts \
  TRACKLANE_KAFKA_TOPIC_CHANGES=wbench.changes TRACKLANE_KAFKA_TOPIC_DEAD_LETTER=wbench.dead-letter \
  TRACKLANE_WEBHOOKS_SECRET_KEY="$KEY" TRACKLANE_CLICK_ID_KEYS="$CLICK_KEY" \
  TRACKLANE_WEBHOOKS_CONSUMER_GROUP=wbench TRACKLANE_HTTP_OPS_PORT="$OPS_PORT" \
  TRACKLANE_WEBHOOKS_ALLOW_HOSTS=127.0.0.1 TRACKLANE_WEBHOOKS_BATCH="$BATCH" TRACKLANE_WEBHOOKS_POLL_MS=20

cleanup() {
  [ -n "${ENGINE:-}" ] && kill "$ENGINE" 2>/dev/null || true
  [ -n "${RECV:-}" ] && kill "$RECV" 2>/dev/null || true
  psql "$PG" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

psql "$PG" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null
java -Xmx256m -cp "$JAR" load-tests/WebhookReceiver.java "$RECEIVER_PORT" >"$LOGS/receiver.log" 2>&1 &
RECV=$!
java -jar "$JAR" create-program --name Bench --time-zone UTC --currency EUR >"$LOGS/program.json"
PROGRAM="$(sed -n 's/.*"program_id" *: *"\{0,1\}\([0-9]*\).*/\1/p' "$LOGS/program.json" | head -1)"
[ -n "$PROGRAM" ] || PROGRAM="$(psql "$PG" -tAc "SELECT max(id) FROM $SCHEMA.programs")"
psql "$PG" -q -v ON_ERROR_STOP=1 <<SQL
SET search_path TO $SCHEMA;
INSERT INTO webhook_endpoints (program_id, url, method, events)
SELECT $PROGRAM, 'http://127.0.0.1:$RECEIVER_PORT/pb/' || g || '?tx={transaction_id}&amt={amount}&cur={currency}&ev={event}',
       'GET', '{conversion}'
  FROM generate_series(1, $ENDPOINTS) g;
INSERT INTO webhook_deliveries (program_id, endpoint_id, event_id, event, context, occurred_at, give_up_at,
                                next_attempt_at)
SELECT $PROGRAM, e.id, 'bench_' || g, 'conversion',
       jsonb_build_object('event', 'conversion', 'transaction_id', 'T' || g, 'amount', '12.34', 'currency', 'EUR'),
       now(), now() + interval '1 day', now() + interval '1 hour'
  FROM generate_series(1, $N) g
  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM webhook_endpoints) e ON e.k = g % $ENDPOINTS;
SQL
echo "queued $N deliveries over $ENDPOINTS endpoints; starting the webhooks role"
TRACKLANE_ROLES=webhooks java -Xmx512m -jar "$JAR" serve >"$LOGS/tracklane.log" 2>&1 &
ENGINE=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$OPS_PORT/health/ready" >/dev/null && break
  sleep 1
done
psql "$PG" -qc "UPDATE $SCHEMA.webhook_deliveries SET next_attempt_at = now()"
while :; do
  LEFT="$(psql "$PG" -tAc "SELECT count(*) FROM $SCHEMA.webhook_deliveries WHERE status = 'pending'")"
  [ "$LEFT" = "0" ] && break
  sleep 1
done
psql "$PG" -P pager=off <<SQL
SET search_path TO $SCHEMA;
SELECT count(*) FILTER (WHERE status = 'delivered') AS delivered,
       count(*) FILTER (WHERE status <> 'delivered') AS not_delivered FROM webhook_deliveries;
SELECT count(*) AS attempts,
       round(extract(epoch FROM max(attempted_at) - min(attempted_at))::numeric, 2) AS seconds,
       round(count(*) / nullif(extract(epoch FROM max(attempted_at) - min(attempted_at)), 0)) AS per_second,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50_ms,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99_ms
  FROM webhook_attempts;
SQL
echo "logs: $LOGS"
