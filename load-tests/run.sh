#!/usr/bin/env bash
# Tracklane benchmark, one run on one machine (see docs/benchmarks.md). Prints ONE table with every
# figure and its target:
#   1. a bare Vert.x server answering the same 302 (load-tests/Baseline302.java): the ceiling;
#   2. Tracklane's GET /r/{code} (cache lookup, signed click id, click handed to Kafka);
#   3. Tracklane's POST /postback (token check, Redis dedupe, Kafka acks=all before the 200);
#      all with wrk, same threads, connections and duration;
#   4. the redirect's p50/p99 at half its own measured rate, open loop (load-tests/FixedRate.java),
#      with the generator's own lag, pinned to the last core with taskset when there are several;
#   5. the ledger: drain of 20,000 sales vs a plain batched insert (ledger/LedgerBenchmark);
#   6. end to end, everything co-located (edge, API, ledger, broker, PostgreSQL, Redis): clicks at
#      25% of the baseline's rate for E2E_DURATION seconds, recorded clicks/s and consumer lag;
#   7. clicks lost (answered 302 but neither stored nor waiting) and the heap used (-Xmx512m);
#   8. with REDIRECT_BOTH=yes (default), the redirect again on an edge restarted with the other
#      edge.journal.write_ahead: the cost of writing each click ahead to the journal.
#
#   load-tests/run.sh [--duration S] [--e2e-duration S] [--skip-ledger] [--skip-e2e]
#   env: DURATION=10 CONNECTIONS=64 THREADS=2 WARMUP=20 E2E_DURATION=300 SALES=20000
#   E2E_CATCHUP=900             most seconds to wait, after the end-to-end load, for the ledger to store
#                               what is still in the topic (the wait also ends after 60 s without progress)
#   WRITE_AHEAD=true            edge.journal.write_ahead of the measured edge
#   REDIRECT_BOTH=yes           also measure the redirect with write-ahead the other way (row 8)
#   JFR=yes                     also record profiles (JFR, settings=profile): the edge during the
#                               redirect and postback runs (target/load-tests/edge.jfr), the ledger
#                               benchmark (target/load-tests/ledger.jfr); see docs/benchmarks.md
#   KAFKA_BOOTSTRAP=host:port   use that broker (default 127.0.0.1:9092, started with
#                               scripts/kafka.sh when nothing listens there)
# Needs java 17+, mvn, PostgreSQL and Redis as in config/application.yaml, psql; installs wrk if missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
# Tracklane needs its JIT warm: C2 spends ~15 s of CPU on the hot paths on this kind of machine.
WARMUP="${WARMUP:-20}"
E2E_DURATION="${E2E_DURATION:-300}"
E2E_CATCHUP="${E2E_CATCHUP:-900}"
SALES="${SALES:-20000}"
WRITE_AHEAD="${WRITE_AHEAD:-true}"
REDIRECT_BOTH="${REDIRECT_BOTH:-yes}"
SKIP_LEDGER=no
SKIP_E2E=no
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --e2e-duration) E2E_DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --skip-ledger) SKIP_LEDGER=yes; shift ;;
    --skip-e2e) SKIP_E2E=yes; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
E2E_EDGE_PORT="${E2E_EDGE_PORT:-18180}"
E2E_API_PORT="${E2E_API_PORT:-18181}"
E2E_OPS_PORT="${E2E_OPS_PORT:-19190}"
PSQL=(psql -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-postgres}" -d "${PGDATABASE:-test}" -tAq)
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
rm -rf "$ROOT/target/load-tests/journal" "$ROOT/target/load-tests/journal-e2e"

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
# $1: edge.journal.write_ahead, $2: its log file.
start_edge() {
  env TRACKLANE_ROLES=edge TRACKLANE_HTTP_HOST=127.0.0.1 TRACKLANE_HTTP_EDGE_PORT="$EDGE_PORT" \
    TRACKLANE_HTTP_OPS_PORT="$OPS_PORT" TRACKLANE_HTTP_PUBLIC_EDGE_URL="http://127.0.0.1:$EDGE_PORT" \
    TRACKLANE_POSTGRES_SCHEMA=tracklane_bench TRACKLANE_REDIS_KEY_PREFIX="bench:" \
    TRACKLANE_KAFKA_BOOTSTRAP_SERVERS="$KAFKA" TRACKLANE_KAFKA_TOPIC_FACTS=bench.facts \
    TRACKLANE_KAFKA_TOPIC_CHANGES=bench.changes TRACKLANE_KAFKA_TOPIC_DEAD_LETTER=bench.dead-letter \
    TRACKLANE_EDGE_JOURNAL_DIR="$LOGS/journal" TRACKLANE_EDGE_JOURNAL_WRITE_AHEAD="$1" \
    java -Xmx512m -jar "$JAR" demo >"$2" 2>&1 &
  EDGE_PID=$!
  PIDS+=($EDGE_PID)
}
start_edge "$WRITE_AHEAD" "$LOGS/tracklane.log"

# Heap in use after the last collection, in MiB (jcmd GC.heap_info; 0 when unknown).
heap_mib() {
  local out; out="$(jcmd "$1" GC.heap_info 2>/dev/null || true)"
  echo "$out" | awk '/used/ && !done { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub("K", "", v); print int(v / 1024); done = 1; break } }'
}
HEAP_MAX=0
note_heap() { local h; h="$(heap_mib "$1")"; h="${h:-0}"; if (( h > HEAP_MAX )); then HEAP_MAX=$h; fi; return 0; }
metric() { # ops port, metric name: its value (0 when absent)
  { curl -s "http://127.0.0.1:$1/metrics" || true; } | awk -v m="$2" '$1 == m { printf "%d", $2; found = 1 } END { if (!found) print 0 }'
}

wait_for "127.0.0.1:$BASE_PORT"
# Waits for the edge started with log $1, reads its demo link and token, and waits for a durable 200.
edge_ready() {
  wait_for "127.0.0.1:$EDGE_PORT"
  for _ in $(seq 1 60); do grep -q "postback token" "$1" && break; sleep 0.5; done
  CODE="$(sed -n 's#.*tracking link .*/r/\([A-Za-z0-9_-]*\).*#\1#p' "$1" | head -1)"
  TOKEN="$(sed -n 's/.*postback token *\([^ ]*\).*/\1/p' "$1" | head -1)"
  [[ -n "$CODE" && -n "$TOKEN" ]] || { log "could not read the demo link and token from $1"; exit 1; }

  # The facts topic may still be being created by the edge-only process: wait for a durable 200.
  for _ in $(seq 1 60); do
    status="$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$EDGE_PORT/postback" \
      -H "X-Postback-Token: $TOKEN" -d "transaction_id=ready-$RUN-$CODE&amount=1.00&customer_id=c")"
    [[ "$status" == 200 ]] && break
    sleep 1
  done
  [[ "$status" == 200 ]] || { log "the edge does not accept postbacks (last status $status)"; exit 1; }
}
edge_ready "$LOGS/tracklane.log"

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
  if [[ "${JFR:-no}" == yes ]]; then jcmd "$EDGE_PID" JFR.start name=edge settings=profile >/dev/null; fi
  measure redirect -s load-tests/report.lua -H "$AGENT" "$REDIRECT_URL"
  measure postback -s load-tests/postback.lua "$POSTBACK_URL" -- "$TOKEN" "$RUN"
  if [[ "${JFR:-no}" == yes ]]; then jcmd "$EDGE_PID" JFR.stop name=edge filename="$LOGS/edge.jfr" >/dev/null; fi
} >"$RESULTS"

BASE_RPS="$(awk '$1 == "baseline" { sub("rps=", "", $3); print $3 }' "$RESULTS")"
REDIRECT_RPS="$(awk '$1 == "redirect" { sub("rps=", "", $3); print $3 }' "$RESULTS")"
# Half of the redirect's own ceiling: a load it can sustain, so the figure is latency, not queueing.
HALF=$((REDIRECT_RPS / 2))
log "redirect at half its measured rate ($HALF/s) for ${DURATION}s"
PIN=()
if command -v taskset >/dev/null && (( $(nproc) > 1 )); then
  PIN=(taskset -c "$(( $(nproc) - 1 ))")
fi
FIXED="$("${PIN[@]}" java -cp "$JAR" load-tests/FixedRate.java "$REDIRECT_URL" "$HALF" "$DURATION" "$CONNECTIONS" 10 | grep '^FIXED')"
note_heap "$EDGE_PID"
LOST_EDGE="$(metric "$OPS_PORT" tracklane_clicks_lost_total)"
OTHER_WAL="$([[ "$WRITE_AHEAD" == true ]] && echo false || echo true)"
if [[ "$REDIRECT_BOTH" == yes ]]; then
  log "the redirect again, on an edge restarted with edge.journal.write_ahead=$OTHER_WAL"
  kill "$EDGE_PID"
  wait "$EDGE_PID" 2>/dev/null || true
  start_edge "$OTHER_WAL" "$LOGS/tracklane-other.log"
  edge_ready "$LOGS/tracklane-other.log"
  measure redirect-other -s load-tests/report.lua -H "$AGENT" "http://127.0.0.1:$EDGE_PORT/r/$CODE" >>"$RESULTS"
  note_heap "$EDGE_PID"
  LOST_EDGE=$(( LOST_EDGE + $(metric "$OPS_PORT" tracklane_clicks_lost_total) ))
fi
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

LEDGER_LINE="skipped"
if [[ "$SKIP_LEDGER" == no ]]; then
  log "ledger drain vs plain batched insert ($SALES sales)"
  mvn -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile="$LOGS/cp.txt" >/dev/null
  # The benchmark exits after its last line; should it hang, it is stopped once that line is out.
  JFR_OPTS=()
  if [[ "${JFR:-no}" == yes ]]; then JFR_OPTS=("-XX:StartFlightRecording=filename=$LOGS/ledger.jfr,settings=profile"); fi
  TRACKLANE_TEST_KAFKA="$KAFKA" java -Xmx512m "${JFR_OPTS[@]}" -Dsales="$SALES" \
    -cp "$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$LOGS/cp.txt")" \
    io.tracklane.ledger.LedgerBenchmark >"$LOGS/ledger.out" 2>"$LOGS/ledger.log" &
  BENCH=$!
  while kill -0 "$BENCH" 2>/dev/null && ! grep -q '^sustained' "$LOGS/ledger.out"; do sleep 1; done
  kill "$BENCH" 2>/dev/null || true
  LEDGER_OUT="$(cat "$LOGS/ledger.out")"
  PLAIN="$(echo "$LEDGER_OUT" | sed -n 's/^baseline plain batched insert: \([0-9]*\).*/\1/p')"
  DRAIN="$(echo "$LEDGER_OUT" | sed -n 's/^ledger drain: \([0-9]*\).*/\1/p')"
  LEDGER_LINE="plain=$PLAIN drain=$DRAIN"
fi

E2E_LINE="skipped"
if [[ "$SKIP_E2E" == no ]]; then
  # Everything co-located: all roles in one process next to the broker, PostgreSQL and Redis.
  env TRACKLANE_ROLES=edge,api,ledger TRACKLANE_HTTP_HOST=127.0.0.1 TRACKLANE_HTTP_EDGE_PORT="$E2E_EDGE_PORT" \
    TRACKLANE_HTTP_API_PORT="$E2E_API_PORT" TRACKLANE_HTTP_OPS_PORT="$E2E_OPS_PORT" \
    TRACKLANE_HTTP_PUBLIC_EDGE_URL="http://127.0.0.1:$E2E_EDGE_PORT" \
    TRACKLANE_HTTP_PUBLIC_API_URL="http://127.0.0.1:$E2E_API_PORT" \
    TRACKLANE_POSTGRES_SCHEMA=tracklane_e2e TRACKLANE_REDIS_KEY_PREFIX="e2e:$RUN:" \
    TRACKLANE_KAFKA_BOOTSTRAP_SERVERS="$KAFKA" TRACKLANE_KAFKA_TOPIC_FACTS="e2e.$RUN.facts" \
    TRACKLANE_KAFKA_TOPIC_CHANGES="e2e.$RUN.changes" TRACKLANE_KAFKA_TOPIC_DEAD_LETTER="e2e.$RUN.dead-letter" \
    TRACKLANE_KAFKA_CONSUMER_GROUP="e2e.$RUN" TRACKLANE_EDGE_JOURNAL_DIR="$LOGS/journal-e2e" \
    java -Xmx512m -jar "$JAR" demo >"$LOGS/tracklane-e2e.log" 2>&1 &
  E2E_PID=$!
  PIDS+=($E2E_PID)
  wait_for "127.0.0.1:$E2E_EDGE_PORT"
  for _ in $(seq 1 60); do grep -q "tracking link" "$LOGS/tracklane-e2e.log" && break; sleep 0.5; done
  E2E_CODE="$(sed -n 's#.*tracking link .*/r/\([A-Za-z0-9_-]*\).*#\1#p' "$LOGS/tracklane-e2e.log" | head -1)"
  E2E_RATE=$((BASE_RPS / 4))
  stored() { "${PSQL[@]}" -c "SELECT count(*) FROM tracklane_e2e.clicks" 2>/dev/null || echo 0; }
  answered() { echo $(( $(metric "$E2E_OPS_PORT" tracklane_clicks_total) + $(metric "$E2E_OPS_PORT" tracklane_bot_clicks_total) )); }
  log "end to end: $E2E_RATE clicks/s for ${E2E_DURATION}s, everything co-located"
  STORED0="$(stored)"
  "${PIN[@]}" java -cp "$JAR" load-tests/FixedRate.java "http://127.0.0.1:$E2E_EDGE_PORT/r/$E2E_CODE" "$E2E_RATE" \
    "$E2E_DURATION" "$CONNECTIONS" 0 >"$LOGS/e2e.fixed" 2>&1 &
  GEN=$!
  : >"$LOGS/e2e.lag"
  T0=$(date +%s)
  while kill -0 "$GEN" 2>/dev/null; do
    sleep 10
    echo "$(( $(date +%s) - T0 )) $(( $(answered) - $(stored) + STORED0 ))" >>"$LOGS/e2e.lag"
    note_heap "$E2E_PID"
  done
  T1=$(date +%s)
  STORED1="$(stored)"
  # Lag not growing: the mean lag of the last third of the samples is within one second of clicks
  # of the mean of the first third.
  LAG_VERDICT="$(awk -v rate="$E2E_RATE" '{ t[NR] = $1; l[NR] = $2 } END {
      n = int(NR / 3); if (n < 1) { print "unknown"; exit }
      for (i = 1; i <= n; i++) a += l[i]; for (i = NR - n + 1; i <= NR; i++) b += l[i]
      a /= n; b /= n; printf "%s(first=%d,last=%d)", (b <= a + rate ? "flat" : "growing"), a, b }' "$LOGS/e2e.lag")"
  RECORDED=$(( (STORED1 - STORED0) / (T1 - T0 > 0 ? T1 - T0 : 1) ))
  # Then every answered click must be stored (or counted lost) once the ledger caught up: wait while
  # the ledger still stores (no new row for 60 s ends the wait), at most E2E_CATCHUP seconds.
  log "end to end: waiting for the ledger to store what is still in the topic"
  CATCHUP_FROM=$(date +%s); LAST_STORED=-1; LAST_MOVE=$CATCHUP_FROM
  while (( $(date +%s) - CATCHUP_FROM < E2E_CATCHUP )); do
    NOW_STORED="$(stored)"
    (( $(answered) <= NOW_STORED - STORED0 + $(metric "$E2E_OPS_PORT" tracklane_clicks_lost_total) )) && break
    if (( NOW_STORED != LAST_STORED )); then LAST_STORED=$NOW_STORED; LAST_MOVE=$(date +%s); fi
    (( $(date +%s) - LAST_MOVE >= 60 )) && break
    sleep 2
  done
  CATCHUP=$(( $(date +%s) - CATCHUP_FROM ))
  MISSING=$(( $(answered) - ($(stored) - STORED0) - $(metric "$E2E_OPS_PORT" tracklane_clicks_lost_total) ))
  if (( MISSING < 0 )); then MISSING=0; fi
  LOST_E2E="$(metric "$E2E_OPS_PORT" tracklane_clicks_lost_total)"
  E2E_LINE="rate=$E2E_RATE recorded=$RECORDED lag=$LAG_VERDICT catchup_s=$CATCHUP missing=$MISSING lost=$LOST_E2E $(grep '^FIXED' "$LOGS/e2e.fixed" | cut -d' ' -f2- || true)"
fi
note_heap "$EDGE_PID"

row() { printf '%-44s %-34s %-24s %s\n' "$1" "$2" "$3" "$4"; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print 0 }'; }
ok() { [[ "$1" == 1 ]] && echo ok || echo MISSED; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? 1 : 0 }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? 1 : 0 }'; }
get() { awk -v n="$1" -v k="$2" '$1 == n { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$RESULTS"; }

echo
row figure measured target verdict
row "baseline bare Vert.x 302" "$(get baseline rps) req/s p99 $(get baseline p99_ms) ms" "(the ceiling)" ""
R=$(pct "$(get redirect rps)" "$BASE_RPS")
row "redirect GET /r/{code} (write-ahead $WRITE_AHEAD)" "$(get redirect rps) req/s p99 $(get redirect p99_ms) ms, $R%" ">= 70% of baseline" "$(ok "$(ge "$R" 70)")"
if [[ "$REDIRECT_BOTH" == yes ]]; then
  RO=$(pct "$(get redirect-other rps)" "$BASE_RPS")
  row "  the same, write-ahead $OTHER_WAL" "$(get redirect-other rps) req/s p99 $(get redirect-other p99_ms) ms, $RO%" "(the write-ahead's cost)" ""
fi
P=$(pct "$(get postback rps)" "$BASE_RPS")
row "postback POST /postback" "$(get postback rps) req/s p99 $(get postback p99_ms) ms, $P%" ">= 50% of baseline" "$(ok "$(ge "$P" 50)")"
P99="$(field "$FIXED" p99_ms)"
row "redirect at half rate ($HALF/s), open loop" "p50 $(field "$FIXED" p50_ms) ms p99 $P99 ms" "p99 < 5 ms" "$(ok "$(lt "$P99" 5)")"
GLAG="$(field "$FIXED" gen_lag_p99_ms)"
row "  generator's own lag (p99 / max)" "$GLAG / $(field "$FIXED" gen_lag_max_ms) ms, achieved $(field "$FIXED" achieved)/s" "p99 < 1 ms (kept up)" "$(ok "$(lt "$GLAG" 1)")"
if [[ "$SKIP_LEDGER" == no ]]; then
  L=$(pct "$DRAIN" "$PLAIN")
  row "ledger drain vs plain batched insert" "$DRAIN vs $PLAIN per s, $L%" ">= 50%" "$(ok "$(ge "$L" 50)")"
else
  row "ledger drain vs plain batched insert" "skipped" ">= 50%" ""
fi
if [[ "$SKIP_E2E" == no ]]; then
  E=$(pct "$RECORDED" "$BASE_RPS")
  row "end to end recorded clicks (${E2E_DURATION}s)" "$RECORDED/s at $E2E_RATE/s offered, $E%" ">= 25% of baseline" "$(ok "$(ge "$E" 25)")"
  row "  consumer lag over the run" "$LAG_VERDICT" "not growing" "$(ok "$([[ $LAG_VERDICT == flat* ]] && echo 1)")"
  LOST=$(( LOST_EDGE + LOST_E2E + MISSING ))
else
  row "end to end recorded clicks" "skipped" ">= 25% of baseline" ""
  LOST=$LOST_EDGE
fi
row "clicks lost (counted + missing)" "$LOST (counted $(( LOST - ${MISSING:-0} )), never stored ${MISSING:-0})" "0" "$(ok "$([[ $LOST == 0 ]] && echo 1)")"
row "heap used, max seen (-Xmx512m)" "$HEAP_MAX MiB" "<= 512 MiB" "$(ok "$(lt "$HEAP_MAX" 513)")"
echo
echo "load average before / after (other processes share these cores): $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "details: $RESULTS, $LOGS/*.wrk, $LOGS/e2e.lag, $LOGS/ledger.out"
