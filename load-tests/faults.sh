#!/usr/bin/env bash
# The fault suite (docs/reliability.md). On a stack of its own — a PostgreSQL cluster
# (pg_createcluster on a free port), a Redis server and a Kafka broker — it starts the roles as
# separate processes (api, edge, two ledgers: java -jar target/tracklane.jar serve), drives a bounded
# open-loop load of redirects and postbacks whose client records every answer
# (load-tests/FaultLoad.java), injects one fault per scenario, and counts what was stored:
#
#   scenario | load | 2xx answered | stored | lost | duplicated | 503s | no answer | recovery | readiness seen
#
# lost = answered 2xx (postback 200, redirect 302) but never stored; duplicated = stored twice.
#
#   load-tests/faults.sh            every scenario, 150 redirects/s and 150 postbacks/s, 60 s each
#   load-tests/faults.sh --short    the CI form: fewer scenarios, 40/s, 14 s each (a few minutes)
#
# Exits 1 when any postback is lost or anything is duplicated; clicks count too once the edge has
# its disk journal (TRACKLANE_EDGE_JOURNAL_* configuration present), before that their loss is shown.
# Needs java 17+, mvn (to build the jar when missing), PostgreSQL's server packages
# (pg_createcluster), redis-server, psql and curl. Runs as root or as a user who may create clusters.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SHORT=no
[[ "${1:-}" == "--short" ]] && SHORT=yes
if [[ $SHORT == yes ]]; then
  RATE="${RATE:-40}"; SECONDS_PER="${SECONDS_PER:-14}"; FAULT_AT=4; OUTAGE=6
  SCENARIOS=(baseline broker-frozen pg-stopped ledgers-race edge-sigterm)
else
  RATE="${RATE:-150}"; SECONDS_PER="${SECONDS_PER:-60}"; FAULT_AT=10
  SCENARIOS=(baseline broker-frozen broker-killed pg-stopped redis-stopped redis-flushall ledger-kill
    ledgers-race edge-sigterm)
fi
WORK="$ROOT/target/faults"
JAR="$ROOT/target/tracklane.jar"
rm -rf "$WORK"
mkdir -p "$WORK"

log() { echo "faults.sh: $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# free_port [N]: a port with the N-1 after it free too (Kafka's controller takes PORT+1), below the
# kernel's ephemeral range: the broker, PostgreSQL and Redis are restarted on their ports during the
# run, and a port in that range may meanwhile be taken as the local port of some client connection.
free_port() {
  python3 - "${1:-1}" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(1000):
    port = random.randint(10000, low - n)
    socks = []
    try:
        for p in range(port, port + n):
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
        print(port); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
else:
    sys.exit("no free port below the ephemeral range")
PY
}

[[ -f "$JAR" ]] || { log "building the jar"; mvn -q -B -ntp -DskipTests package; }

PG_PORT=$(free_port); REDIS_PORT=$(free_port); KAFKA_PORT=$(free_port 2)
EDGE_PORT=$(free_port); API_PORT=$(free_port)
declare -A OPS=([api]=$(free_port) [edge]=$(free_port) [ledger1]=$(free_port) [ledger2]=$(free_port))
PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -1)"
PG_NAME="tl_faults_$PG_PORT"
declare -A PIDS=()

cleanup() {
  set +e
  for name in "${!PIDS[@]}"; do kill -9 "${PIDS[$name]}" 2>/dev/null; done
  [[ -f "$WORK/redis.pid" ]] && kill "$(cat "$WORK/redis.pid")" 2>/dev/null
  bash scripts/kafka.sh stop --dir "$WORK/kafka" >/dev/null 2>&1
  pg_dropcluster --stop "$PG_VERSION" "$PG_NAME" >/dev/null 2>&1
}
trap cleanup EXIT

# ------------------------------------------------------------------------------ the stack
log "PostgreSQL $PG_VERSION cluster $PG_NAME on $PG_PORT"
pg_createcluster "$PG_VERSION" "$PG_NAME" -p "$PG_PORT" -- --auth-host=trust --auth-local=trust >/dev/null
pg_start() { pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_NAME" start; }
pg_stop() { pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_NAME" stop -m fast; }
pg_start
redis_start() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log" --dir "$WORK"
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
}
redis_start
log "Redis on $REDIS_PORT; Kafka on $KAFKA_PORT"
bash scripts/kafka.sh start --dir "$WORK/kafka" --port "$KAFKA_PORT" >/dev/null

sql() { PGOPTIONS="-c search_path=faults" psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qAt -c "$1"; }

export TRACKLANE_POSTGRES_PORT="$PG_PORT" TRACKLANE_POSTGRES_DATABASE=postgres TRACKLANE_POSTGRES_SCHEMA=faults \
  TRACKLANE_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" TRACKLANE_REDIS_KEY_PREFIX="faults:" \
  TRACKLANE_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" TRACKLANE_HTTP_HOST=127.0.0.1 \
  TRACKLANE_HTTP_EDGE_PORT="$EDGE_PORT" TRACKLANE_HTTP_API_PORT="$API_PORT" \
  TRACKLANE_HTTP_PUBLIC_EDGE_URL="http://127.0.0.1:$EDGE_PORT" TRACKLANE_HTTP_PUBLIC_API_URL="http://127.0.0.1:$API_PORT" \
  TRACKLANE_LEDGER_LAG_PROBE_MS=1000 TRACKLANE_API_RATE_LIMIT_REQUESTS=1000000 \
  TRACKLANE_EDGE_JOURNAL_DIR="$WORK/journal" \
  TRACKLANE_CLICK_ID_KEYS="1:$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" \
  TRACKLANE_WEBHOOKS_SECRET_KEY="$(head -c 32 /dev/urandom | base64)"

# start NAME ROLES: one process, its own ops port, its log in target/faults/NAME.log
start() {
  TRACKLANE_ROLES="$2" TRACKLANE_HTTP_OPS_PORT="${OPS[$1]}" \
    java -Xmx384m -jar "$JAR" serve >>"$WORK/$1.log" 2>&1 &
  PIDS[$1]=$!
  disown "$!" 2>/dev/null || true
}
await_exit() { while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; }
ready() { [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${OPS[$1]}/health/ready")" == 200 ]]; }
await_ready() {
  local until=$((SECONDS + ${2:-90}))
  while ! ready "$1"; do
    (( SECONDS < until )) || { log "$1 not ready: $(tail -5 "$WORK/$1.log")"; return 1; }
    sleep 0.1
  done
}
metric() {  # metric NAME_REGEX ROLE: the sum of the matching samples on the role's /metrics
  curl -s "http://127.0.0.1:${OPS[$2]}/metrics" | awk -v re="^$1" '$0 ~ re && $1 !~ /^#/ { s += $NF } END { print s + 0 }'
}

log "starting api, edge, ledger1, ledger2"
start api api
await_ready api
start edge edge; start ledger1 ledger; start ledger2 ledger
for role in edge ledger1 ledger2; do await_ready "$role"; done

PROGRAM="$(java -jar "$JAR" create-program --name Faults --time-zone UTC --currency EUR 2>/dev/null | sed -n '/^{/,$p')"
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
KEY="$(field "$PROGRAM" api_key)"; TOKEN="$(field "$PROGRAM" postback_token)"; PROGRAM_ID="$(field "$PROGRAM" program_id)"
api() { curl -s -X POST "http://127.0.0.1:$API_PORT/api/v1$1" -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -d "$2"; }
CAMPAIGN="$(field "$(api /campaigns '{"name":"Faults","landing_page_url":"https://shop.example/land","reward_type":"percent","commission_percent":10,"cookie_window_days":30}')" id)"
AFFILIATE="$(field "$(api /affiliates "{\"campaign_id\":\"$CAMPAIGN\",\"email\":\"load@partner.example\"}")" id)"
CODE="$(field "$(api /affiliate_links "{\"campaign_id\":\"$CAMPAIGN\",\"affiliate_id\":\"$AFFILIATE\"}")" code)"
CLICK=""
for _ in $(seq 1 100); do
  CLICK="$(curl -s -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$EDGE_PORT/r/$CODE" | sed -n 's/.*[?&]click_id=\([^&]*\).*/\1/p')"
  [[ -n "$CLICK" ]] && break
  sleep 0.1
done
[[ -n "$CLICK" ]] || { log "the edge gave no click id"; exit 1; }
sql "CREATE TABLE IF NOT EXISTS fault_answers (scenario text, kind text, status int, a text, b text)"

# ------------------------------------------------------------------------------ faults
RECOVERY="-"
await_recovery() {  # await_recovery START ROLE...: seconds from START until every ROLE is ready
  local start="$1"; shift
  for role in "$@"; do await_ready "$role" 120 || true; done
  RECOVERY="$(since "$start")s"
}
await_failover() {  # await_failover START ROLE: from START (a kill) until the group's lag, once risen
  # past one second of load, is back under half a second of it: the dead ledger's partitions are
  # written again and caught up.
  local start="$1" role="$2" rose=no until=$((SECONDS + 120))
  while (( SECONDS < until )); do
    sleep 0.2
    local lag; lag="$(metric tracklane_ledger_consumer_group_lag "$role")"
    if [[ $rose == no ]]; then
      awk -v l="$lag" -v m="$RATE" 'BEGIN { exit !(l >= m) }' && rose=yes
      if [[ $rose == no ]] && awk -v a="$start" -v b="$(now)" 'BEGIN { exit !(b - a > 30) }'; then
        RECOVERY="lag never reached ${RATE}"; return 0
      fi
    elif awk -v l="$lag" -v m="$RATE" 'BEGIN { exit !(l < m / 2) }'; then
      RECOVERY="$(since "$start")s"; return 0
    fi
  done
  RECOVERY="over 120s"
}
kafka_pid() { cat "$WORK/kafka/broker.pid"; }
fault_baseline() { :; }
fault_broker-frozen() {
  local d=${OUTAGE:-20}; kill -STOP "$(kafka_pid)"; sleep "$d"; kill -CONT "$(kafka_pid)"
  await_recovery "$(now)" edge ledger1 ledger2
}
fault_broker-killed() {
  bash scripts/kafka.sh stop --dir "$WORK/kafka" >/dev/null; sleep "${OUTAGE:-20}"
  bash scripts/kafka.sh start --dir "$WORK/kafka" --port "$KAFKA_PORT" >/dev/null
  await_recovery "$(now)" edge ledger1 ledger2
}
fault_pg-stopped() {
  pg_stop; sleep "${OUTAGE:-30}"; local back; back="$(now)"; pg_start
  await_recovery "$back" api ledger1 ledger2
}
fault_redis-stopped() {
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; sleep "${OUTAGE:-30}"
  local back; back="$(now)"; redis_start; RECOVERY="$(since "$back")s"
}
fault_redis-flushall() { redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null; RECOVERY="0s"; }
fault_ledger-kill() {
  # One ledger: the other is stopped first, then the only one is killed and started again.
  kill "${PIDS[ledger2]}"; await_exit "${PIDS[ledger2]}"
  local killed; killed="$(now)"; kill -9 "${PIDS[ledger1]}"; await_exit "${PIDS[ledger1]}"
  start ledger1 ledger; await_ready ledger1; await_failover "$killed" ledger1
  start ledger2 ledger; await_ready ledger2
}
fault_ledgers-race() {
  # Two ledgers writing; one is killed and stays down: the survivor takes its partitions.
  local killed; killed="$(now)"; kill -9 "${PIDS[ledger1]}"; await_exit "${PIDS[ledger1]}"
  await_failover "$killed" ledger2
  RESTART_AFTER=(ledger1)
}
fault_edge-sigterm() {
  local stopped; stopped="$(now)"; kill -TERM "${PIDS[edge]}"; await_exit "${PIDS[edge]}"
  start edge edge; await_recovery "$stopped" edge
}

# The client, compiled once; then the JIT warms up (not counted): a cold edge answers slowly.
mkdir -p "$WORK/client"
javac -nowarn -cp "$JAR" -d "$WORK/client" load-tests/FaultLoad.java
CLIENT_CP="$JAR:$WORK/client"
log "warming up for 10 s"
java -Xmx256m -cp "$CLIENT_CP" FaultLoad "http://127.0.0.1:$EDGE_PORT" "$CODE" "$TOKEN" "$CLICK" \
  "$RATE" 10 warmup "$WORK/warmup" >"$WORK/warmup.client.log" 2>&1

# ------------------------------------------------------------------------------ scenarios
declare -a ROWS=()
FAILED=0
JOURNAL=no
grep -q "journal" config/application.yaml && JOURNAL=yes
for scenario in "${SCENARIOS[@]}"; do
  log "scenario $scenario: $RATE redirects/s and $RATE postbacks/s for ${SECONDS_PER}s, fault at ${FAULT_AT}s"
  RECOVERY="-"; RESTART_AFTER=()
  prefix="${scenario//-/_}"
  java -Xmx256m -cp "$CLIENT_CP" FaultLoad "http://127.0.0.1:$EDGE_PORT" "$CODE" "$TOKEN" "$CLICK" \
    "$RATE" "$SECONDS_PER" "$prefix" "$WORK/$prefix" "http://127.0.0.1:${OPS[edge]}" \
    "http://127.0.0.1:${OPS[api]}" "http://127.0.0.1:${OPS[ledger1]}" "http://127.0.0.1:${OPS[ledger2]}" \
    >"$WORK/$prefix.client.log" 2>&1 &
  client=$!
  for _ in $(seq 1 300); do [[ -f "$WORK/$prefix.started" ]] && break; sleep 0.1; done
  sleep "$FAULT_AT"
  "fault_$scenario"
  wait "$client" || { log "the load client failed: $(tail -3 "$WORK/$prefix.client.log")"; exit 1; }
  for role in "${RESTART_AFTER[@]}"; do start "$role" ledger; await_ready "$role"; done
  # Let the ledgers write everything accepted (the group's lag back to 0), then count.
  sleep 2
  for _ in $(seq 1 300); do
    [[ "$(metric tracklane_ledger_consumer_group_lag ledger2)" == 0 ]] && break
    sleep 0.2
  done
  sleep 1
  sql "\\copy fault_answers (kind, status, a, b) FROM '$WORK/$prefix.answers' WITH (DELIMITER ' ')" >/dev/null
  sql "UPDATE fault_answers SET scenario = '$prefix' WHERE scenario IS NULL"
  read -r pb_ok pb_stored pb_lost pb_503 pb_none < <(sql "
    WITH p AS (SELECT * FROM fault_answers WHERE scenario = '$prefix' AND kind = 'p'),
         stored AS (SELECT DISTINCT transaction_id FROM conversions WHERE program_id = $PROGRAM_ID
                     AND transaction_id LIKE '${prefix}-%'
                    UNION SELECT DISTINCT transaction_id FROM rejected_events WHERE program_id = $PROGRAM_ID
                     AND transaction_id LIKE '${prefix}-%')
    SELECT (SELECT count(*) FROM p WHERE status = 200),
           (SELECT count(*) FROM stored),
           (SELECT count(*) FROM p WHERE status = 200 AND a NOT IN (SELECT transaction_id FROM stored)),
           (SELECT count(*) FROM p WHERE status = 503),
           (SELECT count(*) FROM p WHERE status = 0)" | tr '|' ' ')
  pb_dup="$(sql "SELECT count(*) FROM (SELECT transaction_id FROM conversions WHERE program_id = $PROGRAM_ID
    AND transaction_id LIKE '${prefix}-%' AND kind = 'sale' GROUP BY transaction_id HAVING count(*) > 1) d")"
  read -r ck_ok ck_stored ck_lost ck_none < <(sql "
    WITH r AS (SELECT * FROM fault_answers WHERE scenario = '$prefix' AND kind = 'r'),
         stored AS (SELECT DISTINCT click_id FROM clicks WHERE program_id = $PROGRAM_ID AND sub1 LIKE '${prefix}-%')
    SELECT (SELECT count(*) FROM r WHERE status = 302), (SELECT count(*) FROM stored),
           (SELECT count(*) FROM r WHERE status = 302 AND a NOT IN (SELECT click_id FROM stored)),
           (SELECT count(*) FROM r WHERE status = 0)" | tr '|' ' ')
  ck_dup="$(sql "SELECT count(*) FROM (SELECT click_id FROM clicks WHERE program_id = $PROGRAM_ID
    AND sub1 LIKE '${prefix}-%' GROUP BY click_id HAVING count(*) > 1) d")"
  # Readiness as the client saw it, per role: the sequence of distinct answers (0 = no answer).
  seen="$(for role in edge api ledger1 ledger2; do
      port="${OPS[$role]}"
      seq="$(sort -n "$WORK/$prefix.ready" | awk -v p=":$port" '$2 ~ p"$" { if ($3 != last) { printf "%s%s", sep, $3; sep=">"; last=$3 } }')"
      [[ "$seq" == "200" ]] || printf '%s:%s ' "$role" "$seq"
    done)"
  ROWS+=("$(printf '%-14s | %3d/s x %2ds | pb %5d 2xx, %5d stored, %d lost, %d dup, %4d 503, %3d no answer | clicks %5d 302, %5d stored, %4d lost, %d dup, %3d no answer | recovery %-8s | %s' \
    "$scenario" "$RATE" "$SECONDS_PER" "$pb_ok" "$pb_stored" "$pb_lost" "$pb_dup" "$pb_503" "$pb_none" \
    "$ck_ok" "$ck_stored" "$ck_lost" "$ck_dup" "$ck_none" "$RECOVERY" "${seen:-all ready throughout}")")
  log "${ROWS[-1]}"
  if (( pb_lost > 0 || pb_dup > 0 || ck_dup > 0 )); then FAILED=1; fi
  if [[ $JOURNAL == yes ]] && (( ck_lost > 0 )); then FAILED=1; fi
done

echo
echo "fault suite ($( [[ $SHORT == yes ]] && echo short || echo full )), PostgreSQL $PG_VERSION, one broker, one Redis; clicks journal: $JOURNAL"
printf '%s\n' "${ROWS[@]}"
echo "logs and every answer: $WORK"
if (( FAILED )); then
  echo "FAILED: a 2xx answer was lost or something was stored twice" >&2
  exit 1
fi
