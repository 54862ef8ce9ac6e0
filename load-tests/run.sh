#!/usr/bin/env bash
# Tracking-edge benchmark, one run on one machine (see docs/benchmarks.md):
#   1. a bare Vert.x server answering the same 302 (load-tests/Baseline302.java): the ceiling;
#   2. Tracklane's GET /r/{code} (cache lookup, signed click id, click queued to Kafka);
#   3. Tracklane's POST /postback (token check, Redis dedupe, Kafka acks=all before the 200);
# all with wrk, same threads, connections and duration; then the redirect's p99 at half the
# redirect's own measured rate with an open-loop generator (load-tests/FixedRate.java).
#
#   load-tests/run.sh                      DURATION=10 CONNECTIONS=64 THREADS=2 by default
#   KAFKA_BOOTSTRAP=host:port load-tests/run.sh   use that broker (default 127.0.0.1:9092,
#                                          started with scripts/kafka.sh when nothing listens there)
# Needs java 17+, mvn, PostgreSQL and Redis as in config/application.yaml; installs wrk if missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
# Tracklane needs its JIT warm: C2 spends ~15 s of CPU on the hot paths on this kind of machine.
WARMUP="${WARMUP:-20}"
KAFKA="${KAFKA_BOOTSTRAP:-127.0.0.1:9092}"
BASE_PORT="${BASE_PORT:-18090}"
EDGE_PORT="${EDGE_PORT:-18080}"
OPS_PORT="${OPS_PORT:-19090}"
LOGS="$ROOT/target/load-tests"
RUN="$(date +%s)"
JAR="$ROOT/target/tracklane.jar"
mkdir -p "$LOGS"

log() { echo "run.sh: $*" >&2; }

listening() { (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null; }

wait_for() {
  for _ in $(seq 1 120); do
    if listening "$1"; then return 0; fi
    sleep 0.5
  done
  log "nothing listens on $1 after 60 s"; exit 1
}

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk
fi

log "building the jar"
mvn -q -B -DskipTests package

STARTED_BROKER=no
if ! listening "$KAFKA"; then
  log "starting a Kafka broker with scripts/kafka.sh"
  KAFKA="$(bash scripts/kafka.sh start --port "${KAFKA##*:}" | sed -n 's/^KAFKA_BOOTSTRAP=//p' | tail -1)"
  STARTED_BROKER=yes
fi

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # Leave the machine as we found it: stop the broker only if this run started it.
  if [[ "$STARTED_BROKER" == yes ]]; then
    bash scripts/kafka.sh stop >&2 || true
  fi
}
trap cleanup EXIT

java -Xmx256m -cp "$JAR" load-tests/Baseline302.java "$BASE_PORT" 2 >"$LOGS/baseline.log" 2>&1 &
PIDS+=($!)

# The edge role alone: the ledger would compete for the same two cores with what is measured.
env TRACKLANE_ROLES=edge TRACKLANE_HTTP_HOST=127.0.0.1 TRACKLANE_HTTP_EDGE_PORT="$EDGE_PORT" \
  TRACKLANE_HTTP_OPS_PORT="$OPS_PORT" TRACKLANE_HTTP_PUBLIC_EDGE_URL="http://127.0.0.1:$EDGE_PORT" \
  TRACKLANE_POSTGRES_SCHEMA=tracklane_bench TRACKLANE_REDIS_KEY_PREFIX="bench:" \
  TRACKLANE_KAFKA_BOOTSTRAP_SERVERS="$KAFKA" TRACKLANE_KAFKA_TOPIC_FACTS=bench.facts \
  TRACKLANE_KAFKA_TOPIC_CHANGES=bench.changes TRACKLANE_KAFKA_TOPIC_DEAD_LETTER=bench.dead-letter \
  java -Xmx512m -jar "$JAR" demo >"$LOGS/tracklane.log" 2>&1 &
PIDS+=($!)

wait_for "127.0.0.1:$BASE_PORT"
wait_for "127.0.0.1:$EDGE_PORT"
for _ in $(seq 1 60); do grep -q "postback token" "$LOGS/tracklane.log" && break; sleep 0.5; done
CODE="$(sed -n 's#.*tracking link .*/r/\([A-Za-z0-9_-]*\).*#\1#p' "$LOGS/tracklane.log" | head -1)"
TOKEN="$(sed -n 's/.*postback token *\([^ ]*\).*/\1/p' "$LOGS/tracklane.log" | head -1)"
[[ -n "$CODE" && -n "$TOKEN" ]] || { log "could not read the demo link and token from $LOGS/tracklane.log"; exit 1; }

# The facts topic may still be being created by the edge-only process: wait for a durable 200.
for _ in $(seq 1 60); do
  status="$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$EDGE_PORT/postback" \
    -H "X-Postback-Token: $TOKEN" -d "transaction_id=ready-$RUN&amount=1.00&customer_id=c")"
  [[ "$status" == 200 ]] && break
  sleep 1
done
[[ "$status" == 200 ]] || { log "the edge does not accept postbacks (last status $status)"; exit 1; }

AGENT="User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
BASE_URL="http://127.0.0.1:$BASE_PORT/r/$CODE"
REDIRECT_URL="http://127.0.0.1:$EDGE_PORT/r/$CODE"
POSTBACK_URL="http://127.0.0.1:$EDGE_PORT"

measure() { # name, then wrk arguments after the common ones
  local name="$1"; shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP"s "$@" >/dev/null
  local line
  line="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION"s "$@" | tee "$LOGS/$name.wrk" | grep '^RESULT')"
  echo "$name $line"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "measuring ($THREADS threads, $CONNECTIONS connections, ${DURATION}s each after ${WARMUP}s warm-up)"
RESULTS="$LOGS/results-$RUN.txt"
{
  measure baseline -s load-tests/report.lua -H "$AGENT" "$BASE_URL"
  measure redirect -s load-tests/report.lua -H "$AGENT" "$REDIRECT_URL"
  measure postback -s load-tests/postback.lua "$POSTBACK_URL" -- "$TOKEN" "$RUN"
} >"$RESULTS"

BASE_RPS="$(awk '$1 == "baseline" { sub("rps=", "", $3); print $3 }' "$RESULTS")"
REDIRECT_RPS="$(awk '$1 == "redirect" { sub("rps=", "", $3); print $3 }' "$RESULTS")"
# Half of the redirect's own ceiling: a load it can sustain, so the figure is latency, not queueing.
HALF=$((REDIRECT_RPS / 2))
log "redirect at half its measured rate ($HALF/s) for ${DURATION}s"
FIXED="$(java -cp "$JAR" load-tests/FixedRate.java "$REDIRECT_URL" "$HALF" "$DURATION" "$CONNECTIONS" 10 | grep '^FIXED')"
DROPPED="$(curl -s "http://127.0.0.1:$OPS_PORT/metrics" | awk '/^tracklane_clicks_dropped_total/ { print $2 }')"

echo
printf '%-10s %10s %9s %9s %9s %12s\n' target "req/s" "p50 ms" "p99 ms" "ratio" "non-2xx/3xx"
awk -v base="$BASE_RPS" '{
  for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
  printf "%-10s %10d %9.2f %9.2f %8.0f%% %12d\n", $1, v["rps"], v["p50_ms"], v["p99_ms"], 100 * v["rps"] / base, v["non_2xx_3xx"] + v["socket_errors"]
}' "$RESULTS"
echo
echo "redirect at half its measured rate, open loop: $FIXED"
echo "load average before / after the run (other processes share these cores): $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "clicks not queued to Kafka during the run (tracklane_clicks_dropped_total): ${DROPPED:-unknown}"
echo "targets: redirect >= 70% of baseline, postback >= 50%, redirect p99 < 5 ms at half load"
