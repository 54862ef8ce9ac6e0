#!/usr/bin/env bash
# Server-sent events benchmark (docs/benchmarks.md, issue 11): 100 clients follow
# GET /api/v1/events; the time from a postback's 200 to its event reaching each client (p50, p99)
# at a fixed rate, then events per second delivered to all clients during a burst.
#
#   load-tests/stream.sh          CLIENTS=100 RATE=100 DURATION=10 BURST=5000 by default
#   KAFKA_BOOTSTRAP=host:port load-tests/stream.sh   use that broker (default 127.0.0.1:9092,
#                                 started with scripts/kafka.sh when nothing listens there)
# Needs java 17+, mvn, PostgreSQL and Redis as in config/application.yaml.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CLIENTS="${CLIENTS:-100}"
RATE="${RATE:-100}"
SECONDS_="${DURATION:-10}"  # not SECONDS: bash counts its own seconds in that variable
BURST="${BURST:-5000}"
KAFKA="${KAFKA_BOOTSTRAP:-127.0.0.1:9092}"
EDGE_PORT="${EDGE_PORT:-18180}"
API_PORT="${API_PORT:-18181}"
OPS_PORT="${OPS_PORT:-19190}"
LOGS="$ROOT/target/load-tests"
JAR="$ROOT/target/tracklane.jar"
mkdir -p "$LOGS"

log() { echo "stream.sh: $*" >&2; }
listening() { (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null; }
wait_for() {
  for _ in $(seq 1 120); do
    if listening "$1"; then return 0; fi
    sleep 0.5
  done
  log "nothing listens on $1 after 60 s"; exit 1
}

log "building the jar"
mvn -q -B -DskipTests package

STARTED_BROKER=no
if ! listening "$KAFKA"; then
  log "starting a Kafka broker with scripts/kafka.sh"
  KAFKA="$(bash scripts/kafka.sh start --port "${KAFKA##*:}" | sed -n 's/^KAFKA_BOOTSTRAP=//p' | tail -1)"
  STARTED_BROKER=yes
fi

PID=""
cleanup() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null || true
  wait 2>/dev/null || true
  if [[ "$STARTED_BROKER" == yes ]]; then
    bash scripts/kafka.sh stop >&2 || true
  fi
}
trap cleanup EXIT

# Edge (postbacks) and API (the streams); the ledger is not on the measured path of a postback's own event.
env TRACKLANE_ROLES=edge,api TRACKLANE_HTTP_HOST=127.0.0.1 TRACKLANE_HTTP_EDGE_PORT="$EDGE_PORT" \
  TRACKLANE_HTTP_API_PORT="$API_PORT" TRACKLANE_HTTP_OPS_PORT="$OPS_PORT" \
  TRACKLANE_HTTP_PUBLIC_EDGE_URL="http://127.0.0.1:$EDGE_PORT" TRACKLANE_HTTP_PUBLIC_API_URL="http://127.0.0.1:$API_PORT" \
  TRACKLANE_POSTGRES_SCHEMA=tracklane_stream_bench TRACKLANE_REDIS_KEY_PREFIX="stream-bench:" \
  TRACKLANE_KAFKA_BOOTSTRAP_SERVERS="$KAFKA" TRACKLANE_KAFKA_TOPIC_FACTS=stream-bench.facts \
  TRACKLANE_KAFKA_TOPIC_CHANGES=stream-bench.changes TRACKLANE_KAFKA_TOPIC_DEAD_LETTER=stream-bench.dead-letter \
  TRACKLANE_API_EVENTS_MAX_STREAMS_PER_KEY=$((CLIENTS + 10)) TRACKLANE_API_RATE_LIMIT_REQUESTS=100000000 \
  java -Xmx512m -jar "$JAR" demo >"$LOGS/stream-tracklane.log" 2>&1 &
PID=$!

wait_for "127.0.0.1:$EDGE_PORT"
wait_for "127.0.0.1:$API_PORT"
for _ in $(seq 1 60); do grep -q "postback token" "$LOGS/stream-tracklane.log" && break; sleep 0.5; done
KEY="$(sed -n 's/.*owner API key *\([^ ]*\).*/\1/p' "$LOGS/stream-tracklane.log" | head -1)"
TOKEN="$(sed -n 's/.*postback token *\([^ ]*\).*/\1/p' "$LOGS/stream-tracklane.log" | head -1)"
[[ -n "$KEY" && -n "$TOKEN" ]] || { log "could not read the demo key and token from $LOGS/stream-tracklane.log"; exit 1; }

# The facts topic may still be being created: wait for a durable 200.
for _ in $(seq 1 60); do
  status="$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$EDGE_PORT/postback" \
    -H "X-Postback-Token: $TOKEN" -d "transaction_id=ready-$(date +%s)&amount=1.00&customer_id=c")"
  [[ "$status" == 200 ]] && break
  sleep 1
done
[[ "$status" == 200 ]] || { log "the edge does not accept postbacks (last status $status)"; exit 1; }

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "$CLIENTS stream clients; $RATE postbacks/s for ${SECONDS_}s, then a burst of $BURST"
java -Xmx512m -cp "$JAR" load-tests/EventStreamBench.java "http://127.0.0.1:$API_PORT" \
  "http://127.0.0.1:$EDGE_PORT" "$KEY" "$TOKEN" "$CLIENTS" "$RATE" "$SECONDS_" "$BURST" | tee "$LOGS/stream-results.txt"
echo "load average before / after the run (other processes share these cores): $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
