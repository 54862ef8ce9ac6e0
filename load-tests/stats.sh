#!/usr/bin/env bash
# Cached stats answers under load (issue 8), one run on one machine (see docs/benchmarks.md):
#   GET /api/v1/analytics (owner) and GET /api/v1/affiliate/dashboard_summary (affiliate keys), each
#   over 10 cache keys, at a fixed rate (default 1000 req/s, open loop, load-tests/FixedRate.java),
#   p99 printed; then FLUSHALL on the benchmark's own Redis, the first answer of each key timed, and
#   the same fixed-rate run again once warm.
#
#   load-tests/stats.sh            RATE=1000 DURATION=20 WARMUP=10 CONNECTIONS=32 by default
#   KAFKA_BOOTSTRAP=host:port load-tests/stats.sh   (default 127.0.0.1:9092, started with
#                                  scripts/kafka.sh when nothing listens there)
# Uses a Redis of its own (redis-server on REDIS_PORT, default 16399), never the shared one, so the
# FLUSHALL touches nothing else. The API rate limit is raised for the run. Needs java 17+, mvn,
# PostgreSQL as in config/application.yaml, redis-server and redis-cli.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RATE="${RATE:-1000}"
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
KAFKA="${KAFKA_BOOTSTRAP:-127.0.0.1:9092}"
REDIS_PORT="${REDIS_PORT:-16399}"
EDGE_PORT="${EDGE_PORT:-18180}"
API_PORT="${API_PORT:-18181}"
OPS_PORT="${OPS_PORT:-19190}"
LOGS="$ROOT/target/load-tests"
RUN="$(date +%s)"
JAR="$ROOT/target/tracklane.jar"
API="http://127.0.0.1:$API_PORT/api/v1"
mkdir -p "$LOGS"

log() { echo "stats.sh: $*" >&2; }
listening() { (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null; }
wait_for() {   # wait_for host:port [pid: give up at once when that process has exited]
  for _ in $(seq 1 120); do
    if listening "$1"; then return 0; fi
    if [[ -n "${2:-}" ]] && ! kill -0 "$2" 2>/dev/null; then
      log "the process meant to listen on $1 has exited; its log is in $LOGS"; exit 1
    fi
    sleep 0.5
  done
  log "nothing listens on $1 after 60 s"; exit 1
}
field() { sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" | head -1; }
post() { curl -sf -X POST "$API$1" -H "X-Api-Key: $OWNER" -H 'Content-Type: application/json' -d "$2"; }

if [[ "${SKIP_BUILD:-no}" != yes ]]; then
  log "building the jar"
  mvn -q -B -DskipTests package
fi

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
  if [[ "$STARTED_BROKER" == yes ]]; then bash scripts/kafka.sh stop >&2 || true; fi
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >"$LOGS/stats-redis.log" 2>&1 &
PIDS+=($!)
wait_for "127.0.0.1:$REDIS_PORT"

env TRACKLANE_HTTP_HOST=127.0.0.1 TRACKLANE_HTTP_EDGE_PORT="$EDGE_PORT" TRACKLANE_HTTP_API_PORT="$API_PORT" \
  TRACKLANE_HTTP_OPS_PORT="$OPS_PORT" TRACKLANE_HTTP_PUBLIC_EDGE_URL="http://127.0.0.1:$EDGE_PORT" \
  TRACKLANE_HTTP_PUBLIC_API_URL="http://127.0.0.1:$API_PORT" \
  TRACKLANE_POSTGRES_SCHEMA="stats_bench_$RUN" TRACKLANE_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
  TRACKLANE_REDIS_KEY_PREFIX="statsbench:" TRACKLANE_API_RATE_LIMIT_REQUESTS=100000000 \
  TRACKLANE_KAFKA_BOOTSTRAP_SERVERS="$KAFKA" TRACKLANE_KAFKA_TOPIC_FACTS="stats-bench-$RUN.facts" \
  TRACKLANE_KAFKA_TOPIC_CHANGES="stats-bench-$RUN.changes" \
  TRACKLANE_KAFKA_TOPIC_DEAD_LETTER="stats-bench-$RUN.dead-letter" \
  TRACKLANE_KAFKA_CONSUMER_GROUP="stats-bench-$RUN" \
  java -Xmx512m -jar "$JAR" demo >"$LOGS/stats-tracklane.log" 2>&1 &
PIDS+=($!)
wait_for "127.0.0.1:$API_PORT" $!
for _ in $(seq 1 60); do grep -q "owner API key" "$LOGS/stats-tracklane.log" && break; sleep 0.5; done
OWNER="$(sed -n 's/.*owner API key *\([^ ]*\).*/\1/p' "$LOGS/stats-tracklane.log" | head -1)"
CODE="$(sed -n 's#.*tracking link .*/r/\([A-Za-z0-9_-]*\).*#\1#p' "$LOGS/stats-tracklane.log" | head -1)"
[[ -n "$OWNER" && -n "$CODE" ]] || { log "could not read the demo key and link from $LOGS/stats-tracklane.log"; exit 1; }

log "creating campaigns, affiliates and affiliate keys; a few clicks"
CAMPAIGN="$(curl -sf "$API/campaigns" -H "X-Api-Key: $OWNER" | field id)"
C2="$(post /campaigns '{"name":"Bench 2","landing_page_url":"https://shop.example/","reward_type":"percent","commission_percent":10}' | field id)"
C3="$(post /campaigns '{"name":"Bench 3","landing_page_url":"https://shop.example/","reward_type":"percent","commission_percent":10}' | field id)"
: >"$LOGS/stats-analytics.txt"
for r in 30d 90d 12m all; do echo "$API/analytics?range=$r $OWNER" >>"$LOGS/stats-analytics.txt"; done
for c in "$C2" "$C3"; do
  for r in 30d 90d 12m; do echo "$API/analytics?range=$r&campaign_id=$c $OWNER" >>"$LOGS/stats-analytics.txt"; done
done
: >"$LOGS/stats-dashboard.txt"
for i in $(seq 1 10); do
  AFF="$(post /affiliates "{\"campaign_id\":\"$CAMPAIGN\",\"email\":\"bench$i-$RUN@partner.example\",\"first_name\":\"B\",\"last_name\":\"$i\"}" | field id)"
  KEY="$(post /api_keys "{\"label\":\"bench $i\",\"affiliate_id\":\"$AFF\"}" | field key)"
  echo "$API/affiliate/dashboard_summary $KEY" >>"$LOGS/stats-dashboard.txt"
done
for _ in $(seq 1 20); do
  curl -s -o /dev/null -A "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0" "http://127.0.0.1:$EDGE_PORT/r/$CODE"
done
sleep 2

load() { java -cp "$JAR" load-tests/FixedRate.java "$@" | grep -E '^(FIXED|FIRST)'; }
RESULTS="$LOGS/stats-results-$RUN.txt"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
{
  for target in analytics dashboard; do
    file="$LOGS/stats-$target.txt"
    echo "$target warm:          $(load "@$file" "$RATE" "$DURATION" "$CONNECTIONS" "$WARMUP")"
    redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
    echo "$target after FLUSHALL: $(load first "@$file")"
    echo "$target warm again:    $(load "@$file" "$RATE" "$DURATION" "$CONNECTIONS" "$WARMUP")"
  done
} | tee "$RESULTS"
echo "cache outcomes: $(curl -s "http://127.0.0.1:$OPS_PORT/metrics" | grep '^tracklane_stats_cache_requests_total' | tr '\n' ' ')"
echo "load average before / after the run: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "target: p99 < 5 ms at $RATE req/s over 10 keys, warm and again after a flush once warm"
