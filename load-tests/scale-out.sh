#!/usr/bin/env bash
# Scale-out on one machine (docs/scaling.md): HAProxy in front of two edge and two API processes,
# two ledger processes on an 8-partition facts topic and one webhooks process (when the jar has that
# role), each with its own ports, all sharing this run's own PostgreSQL schema, Redis key prefix,
# topics and consumer group. Under load through HAProxy one edge, one ledger and one API are killed
# with SIGKILL and restarted. Then it checks, against PostgreSQL:
#   - every 302 click and every 2xx postback is stored exactly once (lost, duplicated);
#   - each sale has exactly one commission;
#   - an API key's rate limit held across both API processes (exactly N of 3N requests passed);
#   - a key revoked through one API process was refused by the other within a second;
#   - the due job (ledger.due_job_ms) moved every commission that fell due, once, within a period,
#     and ran once per period: one claim per period in due_job_runs, made in that period, none
#     doubled, its moves adding up to the commissions due, each live ledger's count of runs
#     (tracklane_due_job_runs_total{outcome="ran"}) equal to its claims; which ledger ran how many;
# and prints a table; exits 1 if any check fails.
#
#   load-tests/scale-out.sh             DURATION=60 RATE=150 (redirects/s; a postback every 2nd)
#   SKIP_BUILD=1 DURATION=20 load-tests/scale-out.sh      a short check with the built jar
#   KEEP=1 ...                          keep the run's schema and Redis keys for inspection
# Needs java 17+, mvn, PostgreSQL and Redis as in config/application.yaml (database test), psql,
# redis-cli, curl, jq; a Kafka broker on TRACKLANE_TEST_KAFKA or KAFKA_BOOTSTRAP (default
# 127.0.0.1:9092; started with scripts/kafka.sh when nothing listens there). Installs HAProxy
# (Debian package haproxy) when missing. Never flushes Redis: it deletes only its own prefix, drops
# its own schema and deletes its own topics (unless KEEP=1).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DURATION="${DURATION:-60}"
RATE="${RATE:-150}"
WORKERS="${WORKERS:-16}"
PERIOD_MS="${DUE_JOB_MS:-2000}"
RATE_LIMIT=10
BASE="${BASE_PORT:-28000}"
KAFKA="${KAFKA_BOOTSTRAP:-${TRACKLANE_TEST_KAFKA:-127.0.0.1:9092}}"
RUN="so$(date +%s)"
SCHEMA="scaleout_${RUN#so}"
PREFIX="$RUN:"
LOGS="$ROOT/target/scale-out/$RUN"
JAR="${JAR:-$ROOT/target/tracklane.jar}"   # JAR=... runs another build (with SKIP_BUILD=1)
EDGE_LB=$((BASE + 80))
API_LB=$((BASE + 81))
mkdir -p "$LOGS"

log() { echo "scale-out: $*" >&2; }
listening() { (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null; }
psql_q() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -U postgres -d test -XqAt "$@"; }

SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
if ! command -v haproxy >/dev/null && [[ ! -x /usr/sbin/haproxy ]]; then
  log "installing haproxy"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq haproxy >/dev/null
fi
HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"
for tool in psql redis-cli curl jq; do
  command -v "$tool" >/dev/null || { log "$tool is needed"; exit 1; }
done

if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$JAR" ]]; then
  log "building the jar"
  mvn -q -B -DskipTests package
fi

STARTED_BROKER=no
if ! listening "$KAFKA"; then
  log "starting a Kafka broker with scripts/kafka.sh"
  KAFKA="$(bash scripts/kafka.sh start --port "${KAFKA##*:}" | sed -n 's/^KAFKA_BOOTSTRAP=//p' | tail -1)"
  STARTED_BROKER=yes
fi

declare -A PID PORTS
HAPROXY_PID=""
CREATED=no   # whether this run has created its schema, keys and topics yet
cleanup() {
  set +e
  for name in "${!PID[@]}"; do kill "${PID[$name]}" 2>/dev/null; done
  [[ -n "$HAPROXY_PID" ]] && kill "$HAPROXY_PID" 2>/dev/null
  wait 2>/dev/null
  if [[ "$CREATED" == no ]]; then
    :
  elif [[ "${KEEP:-0}" != 1 ]]; then
    psql_q -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null
    redis-cli --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli del >/dev/null
    java -cp "$JAR" load-tests/ScaleOutLoad.java delete-topics "$KAFKA" "$RUN.facts" "$RUN.changes" \
      "$RUN.dead-letter" >>"$LOGS/setup.log" 2>&1 || log "could not delete the topics $RUN.*"
  else
    log "kept schema $SCHEMA and Redis prefix $PREFIX"
  fi
  [[ "$STARTED_BROKER" == yes ]] && bash scripts/kafka.sh stop >&2
}
trap cleanup EXIT

CLICK_KEY="1:$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
common_env=(
  TRACKLANE_CLICK_ID_KEYS="$CLICK_KEY" TRACKLANE_CLICK_ID_CURRENT_KEY_ID=1
  TRACKLANE_POSTGRES_SCHEMA="$SCHEMA" TRACKLANE_POSTGRES_POOL_SIZE=4 TRACKLANE_REDIS_KEY_PREFIX="$PREFIX"
  TRACKLANE_KAFKA_BOOTSTRAP_SERVERS="$KAFKA" TRACKLANE_KAFKA_PARTITIONS=8
  TRACKLANE_KAFKA_TOPIC_FACTS="$RUN.facts" TRACKLANE_KAFKA_TOPIC_CHANGES="$RUN.changes"
  TRACKLANE_KAFKA_TOPIC_DEAD_LETTER="$RUN.dead-letter" TRACKLANE_KAFKA_CONSUMER_GROUP="$RUN-ledger"
  TRACKLANE_HTTP_HOST=127.0.0.1 TRACKLANE_HTTP_EDGE_INSTANCES=1 TRACKLANE_HTTP_API_INSTANCES=1
  TRACKLANE_EDGE_TRUSTED_PROXIES=127.0.0.1 TRACKLANE_LEDGER_DUE_JOB_MS="$PERIOD_MS"
  TRACKLANE_HTTP_PUBLIC_EDGE_URL="http://127.0.0.1:$EDGE_LB" TRACKLANE_HTTP_PUBLIC_API_URL="http://127.0.0.1:$API_LB"
)

# The webhooks role, where the jar has it, needs its own secret key (API and webhooks processes
# refuse the development one) and gets this run's consumer group.
WEBHOOKS=no
if unzip -p "$JAR" 'io/tracklane/config/AppConfig$Role.class' 2>/dev/null | grep -qa WEBHOOKS; then
  WEBHOOKS=yes
  common_env+=(TRACKLANE_WEBHOOKS_SECRET_KEY="$(head -c 32 /dev/urandom | base64)"
    TRACKLANE_WEBHOOKS_CONSUMER_GROUP="$RUN-webhooks")
fi

# name -> "roles edge_port api_port ops_port"; every process has its own three ports.
PORTS[edge1]="edge $((BASE + 1)) $((BASE + 11)) $((BASE + 21))"
PORTS[edge2]="edge $((BASE + 2)) $((BASE + 12)) $((BASE + 22))"
PORTS[api1]="api $((BASE + 3)) $((BASE + 13)) $((BASE + 23))"
PORTS[api2]="api $((BASE + 4)) $((BASE + 14)) $((BASE + 24))"
PORTS[ledger1]="ledger $((BASE + 5)) $((BASE + 15)) $((BASE + 25))"
PORTS[ledger2]="ledger $((BASE + 6)) $((BASE + 16)) $((BASE + 26))"
PORTS[webhooks1]="webhooks $((BASE + 7)) $((BASE + 17)) $((BASE + 27))"
port_of() { local p=(${PORTS[$1]}); echo "${p[$2]}"; }   # 1 edge, 2 api, 3 ops
for port in $(for n in "${!PORTS[@]}"; do echo "${PORTS[$n]#* }"; done) "$EDGE_LB" "$API_LB"; do
  if listening "127.0.0.1:$port"; then log "port $port is taken: choose another BASE_PORT"; exit 1; fi
done

start() {
  local name="$1" p=(${PORTS[$1]})
  # A journal directory per process (kept across its restarts, so a killed edge replays its own).
  env "${common_env[@]}" TRACKLANE_ROLES="${p[0]}" TRACKLANE_HTTP_EDGE_PORT="${p[1]}" \
    TRACKLANE_HTTP_API_PORT="${p[2]}" TRACKLANE_HTTP_OPS_PORT="${p[3]}" TRACKLANE_EDGE_JOURNAL_DIR="$LOGS/journal-$name" \
    java -Xmx256m -XX:TieredStopAtLevel=1 -jar "$JAR" serve >>"$LOGS/$name.log" 2>&1 </dev/null &
  PID[$name]=$!
  echo "$name ${PID[$name]}" >>"$LOGS/pids"   # every process ever started, to name the due job's claims
}
ready() {  # waits until the process answers /health/ready 200; fails if it died
  local name="$1" ops; ops="$(port_of "$1" 3)"
  for _ in $(seq 1 240); do
    if curl -sf -o /dev/null "http://127.0.0.1:$ops/health/ready"; then return 0; fi
    kill -0 "${PID[$name]}" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
api() {  # api N METHOD PATH [JSON] with the admin key, to API process N directly
  local n="$1" method="$2" path="$3" body="${4:-}"
  curl -s -X "$method" -H "X-Api-Key: $ADMIN_KEY" -H 'Content-Type: application/json' \
    ${body:+-d "$body"} "http://127.0.0.1:$(port_of "api$n" 2)/api/v1$path"
}

log "run $RUN: schema $SCHEMA, Redis prefix $PREFIX, topics $RUN.* (8 partitions), Kafka $KAFKA, logs ${LOGS#"$ROOT"/}"
CREATED=yes
program="$(env "${common_env[@]}" java -jar "$JAR" create-program --name "Scale-out $RUN" --currency EUR 2>>"$LOGS/setup.log")"
PROGRAM_ID="$(jq -r .program_id <<<"$program")"
ADMIN_KEY="$(jq -r .api_key <<<"$program")"
TOKEN="$(jq -r .postback_token <<<"$program")"

for name in api1 api2 ledger1 ledger2 edge1 edge2; do start "$name"; done
if [[ "$WEBHOOKS" == yes ]]; then
  start webhooks1
else
  log "webhooks role: not in this jar (AppConfig.Role has no WEBHOOKS); running without a webhooks process"
fi
for name in "${!PID[@]}"; do
  ready "$name" || { log "$name did not become ready; see ${LOGS#"$ROOT"/}/$name.log"; tail -20 "$LOGS/$name.log" >&2; exit 1; }
done
log "all processes ready: ${!PID[*]}"

campaign="$(api 1 POST /campaigns '{"name":"Scale-out","landing_page_url":"https://shop.example/land","reward_type":"percent","commission_percent":10,"cookie_window_days":30,"payout_delay_days":0,"reward_cadence":"every_payment"}')"
CAMPAIGN_ID="$(jq -r .id <<<"$campaign")"
affiliate="$(api 1 POST /affiliates "{\"campaign_id\":\"$CAMPAIGN_ID\",\"email\":\"so-$RUN@example.com\",\"first_name\":\"Scale\",\"last_name\":\"Out\"}")"
AFFILIATE_ID="$(jq -r .id <<<"$affiliate")"
link="$(api 1 POST /affiliate_links "{\"campaign_id\":\"$CAMPAIGN_ID\",\"affiliate_id\":\"$AFFILIATE_ID\"}")"
CODE="$(jq -r .code <<<"$link")"
[[ "$CODE" != null && -n "$CODE" ]] || { log "setup failed: $campaign $affiliate $link"; exit 1; }
SETUP_CLICKS=0
for name in edge1 edge2; do   # each edge learns the link through the changes topic (a stored click each)
  for _ in $(seq 1 60); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(port_of $name 1)/r/$CODE")" == 302 ]]; then
      SETUP_CLICKS=$((SETUP_CLICKS + 1)); break
    fi
    sleep 0.5
  done
done

cat >"$LOGS/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  # A connection refused by a killed process is tried again on the other one; a request already
  # sent to a process that dies is answered 502 (not retried: the client counts it as failed).
  retries 2
  option redispatch
  option forwardfor
frontend edge
  bind 127.0.0.1:$EDGE_LB
  default_backend edges
frontend api
  bind 127.0.0.1:$API_LB
  default_backend apis
backend edges
  balance roundrobin
  option httpchk GET /health/ready
  server edge1 127.0.0.1:$(port_of edge1 1) check port $(port_of edge1 3) inter 500 fall 2 rise 2
  server edge2 127.0.0.1:$(port_of edge2 1) check port $(port_of edge2 3) inter 500 fall 2 rise 2
  # When every edge reports not ready (on these shared cores an edge's event loop can stall for
  # seconds and its readiness time out), send to them anyway rather than answer 503 for all.
  server edge1-open 127.0.0.1:$(port_of edge1 1) backup
  server edge2-open 127.0.0.1:$(port_of edge2 1) backup
backend apis
  balance roundrobin
  option httpchk GET /health/ready
  server api1 127.0.0.1:$(port_of api1 2) check port $(port_of api1 3) inter 500 fall 2 rise 2
  server api2 127.0.0.1:$(port_of api2 2) check port $(port_of api2 3) inter 500 fall 2 rise 2
  server api1-open 127.0.0.1:$(port_of api1 2) backup
  server api2-open 127.0.0.1:$(port_of api2 2) backup
CFG
"$HAPROXY" -f "$LOGS/haproxy.cfg" -db >"$LOGS/haproxy.log" 2>&1 &
HAPROXY_PID=$!
for _ in $(seq 1 20); do listening "127.0.0.1:$EDGE_LB" && break; sleep 0.25; done

log "load: ${RATE} redirects/s and a postback every 2nd, ${DURATION} s, through HAProxy 127.0.0.1:$EDGE_LB"
java -cp "$JAR" load-tests/ScaleOutLoad.java "http://127.0.0.1:$EDGE_LB" "$CODE" "$TOKEN" "$RATE" "$DURATION" \
  "$WORKERS" "$LOGS" >"$LOGS/load.out" 2>"$LOGS/load.err" &
LOAD_PID=$!
T0=$(date +%s%N)
at() {  # sleeps until fraction $1 of the run
  local due=$(( T0 + DURATION * 1000000000 * $1 / 100 )) now; now=$(date +%s%N)
  (( due > now )) && sleep "$(awk -v ns=$((due - now)) 'BEGIN{printf "%.3f", ns/1e9}')"
  return 0
}
crash() {
  log "SIGKILL $1 (pid ${PID[$1]}), restart in 2 s"
  kill -9 "${PID[$1]}"; wait "${PID[$1]}" 2>/dev/null || true
  sleep 2; start "$1"
  ready "$1" && log "$1 restarted and ready" || log "$1 did not come back"
}

at 15; crash edge1

at 25
# Rate limit across both API processes: a key with its own limit, 3x that many requests alternating.
rl="$(api 1 POST /api_keys "{\"label\":\"rate limit $RUN\",\"role\":\"reporting\",\"rate_limit\":$RATE_LIMIT}")"
RL_KEY="$(jq -r .key <<<"$rl")"
RL_OK=0; RL_429=0; RL_OTHER=0
for i in $(seq 1 $((3 * RATE_LIMIT))); do
  code="$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $RL_KEY" \
    "http://127.0.0.1:$(port_of "api$(( i % 2 + 1 ))" 2)/api/v1/campaigns")"
  case "$code" in 200) RL_OK=$((RL_OK + 1)) ;; 429) RL_429=$((RL_429 + 1)) ;; *) RL_OTHER=$((RL_OTHER + 1)) ;; esac
done
log "rate limit $RATE_LIMIT: $RL_OK answered 200, $RL_429 answered 429, $RL_OTHER other"

at 35
# Revocation: a key used (and cached) on api2, revoked through api1, must be refused by api2 within 1 s.
rv="$(api 1 POST /api_keys "{\"label\":\"revoke $RUN\",\"role\":\"reporting\"}")"
RV_KEY="$(jq -r .key <<<"$rv")"; RV_ID="$(jq -r .id <<<"$rv")"
api2_get() { curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $RV_KEY" "http://127.0.0.1:$(port_of api2 2)/api/v1/campaigns"; }
RV_BEFORE="$(api2_get)"
api 1 DELETE "/api_keys/$RV_ID" >/dev/null
t_revoke=$(date +%s%N); RV_MS=""
while (( ($(date +%s%N) - t_revoke) < 5000000000 )); do
  if [[ "$(api2_get)" == 401 ]]; then RV_MS=$(( ($(date +%s%N) - t_revoke) / 1000000 )); break; fi
  sleep 0.02
done
RV_TEXT="not refused within 5 s"; [[ -n "$RV_MS" ]] && RV_TEXT="refused after $RV_MS ms"
log "revocation: api2 answered $RV_BEFORE before, $RV_TEXT"

at 45; crash ledger1
at 60; crash api1
wait "$LOAD_PID" || true
cat "$LOGS/load.out" >&2
grep -h "DOWN\|no server" "$LOGS/haproxy.log" | sed 's/^/haproxy: /' | cut -c1-160 >&2 || true
LOAD="$(grep '^LOAD' "$LOGS/load.out")"
get() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$LOAD"; }

# Wait until the ledgers have written everything acknowledged, or nothing changed for STABLE seconds
# (longer than the consumer session timeout: a SIGKILLed ledger's partitions wait for it to expire).
ACK_CLICKS=$(sort -u "$LOGS/clicks.ok" | wc -l); ACK_SALES=$(sort -u "$LOGS/postbacks.ok" | wc -l)
last=""; stable=0
STABLE="${STABLE:-60}"
for _ in $(seq 1 300); do
  now="$(psql_q -c "SELECT (SELECT count(*) FROM $SCHEMA.clicks WHERE program_id = $PROGRAM_ID) || ' ' ||
                            (SELECT count(*) FROM $SCHEMA.conversions WHERE program_id = $PROGRAM_ID)")"
  read -r c s <<<"$now"
  (( c >= ACK_CLICKS && s >= ACK_SALES )) && break
  if [[ "$now" == "$last" ]]; then stable=$((stable + 1)); else stable=0; fi
  (( stable >= STABLE )) && break
  last="$now"; sleep 1
done
sleep "$(( 2 * PERIOD_MS / 1000 + 1 ))"   # two due-job periods after the last commission

sort -u "$LOGS/clicks.ok" >"$LOGS/clicks.sorted"; sort -u "$LOGS/postbacks.ok" >"$LOGS/postbacks.sorted"
read -r CL_LOST CL_DUP CL_STORED PB_LOST PB_DUP PB_STORED CM_MISSING CM_DUP DUE_N DUE_LATE DUE_TWICE <<<"$(
psql_q -F ' ' <<SQL
CREATE TEMP TABLE acked_clicks (click_id text PRIMARY KEY);
\copy acked_clicks FROM '$LOGS/clicks.sorted'
CREATE TEMP TABLE acked_sales (transaction_id text PRIMARY KEY);
\copy acked_sales FROM '$LOGS/postbacks.sorted'
SET search_path TO $SCHEMA;
CREATE TEMP TABLE stored_clicks AS
  SELECT click_id, count(*) AS n FROM clicks WHERE program_id = $PROGRAM_ID GROUP BY click_id;
CREATE TEMP TABLE stored_sales AS
  SELECT transaction_id, count(*) AS n, min(id) AS id FROM conversions
   WHERE program_id = $PROGRAM_ID AND kind = 'sale' GROUP BY transaction_id;
SELECT
  (SELECT count(*) FROM acked_clicks a LEFT JOIN stored_clicks s USING (click_id) WHERE s.click_id IS NULL),
  (SELECT count(*) FROM acked_clicks a JOIN stored_clicks s USING (click_id) WHERE s.n > 1),
  (SELECT coalesce(sum(n), 0) FROM stored_clicks),
  (SELECT count(*) FROM acked_sales a LEFT JOIN stored_sales s USING (transaction_id) WHERE s.transaction_id IS NULL),
  (SELECT count(*) FROM acked_sales a JOIN stored_sales s USING (transaction_id) WHERE s.n > 1),
  (SELECT coalesce(sum(n), 0) FROM stored_sales),
  (SELECT count(*) FROM conversions v WHERE v.program_id = $PROGRAM_ID AND v.kind = 'sale'
      AND NOT EXISTS (SELECT 1 FROM commissions c WHERE c.conversion_id = v.id)),
  (SELECT count(*) FROM (SELECT conversion_id FROM commissions WHERE program_id = $PROGRAM_ID
      AND conversion_id IS NOT NULL GROUP BY conversion_id HAVING count(*) > 1) d),
  (SELECT count(*) FROM commissions WHERE program_id = $PROGRAM_ID AND status = 'due'),
  (SELECT count(*) FROM commissions WHERE program_id = $PROGRAM_ID AND status = 'pending'
      AND due_at < now() - interval '$((2 * PERIOD_MS)) milliseconds'),
  (SELECT count(*) FROM commissions WHERE program_id = $PROGRAM_ID AND status = 'due'
      AND version <> (SELECT min(version) FROM commissions WHERE program_id = $PROGRAM_ID AND status = 'due'));
SQL
)"

# The due job's claims: one row per period in which it ran (the primary key (job, period_ms, period)
# makes a doubled period impossible; counted anyway), each in the period its ran_at falls in, their
# moves adding up to the commissions due. Each live ledger's own count of runs must equal its claims
# (scraped before and after the count: a period may be claimed in between).
ran_metric() {
  curl -s "http://127.0.0.1:$(port_of "$1" 3)/metrics" \
    | sed -n 's/^tracklane_due_job_runs_total{outcome="ran"[^}]*} \([0-9]*\).*/\1/p' || true
}
CLAIMS_TEXT="no due_job_runs table (a jar without period claims)"; v7=no
if [[ "$(psql_q -c "SELECT to_regclass('$SCHEMA.due_job_runs') IS NOT NULL")" == t ]]; then
  declare -A RAN_BEFORE RAN_AFTER
  for name in ledger1 ledger2; do RAN_BEFORE[$name]="$(ran_metric "$name")"; done
  read -r CLAIMS CLAIM_DOUBLED CLAIM_ELSEWHERE CLAIM_MOVED CLAIM_SPAN <<<"$(psql_q -F ' ' -c "
    SELECT count(*), count(*) - count(DISTINCT period),
           count(*) FILTER (WHERE period <> floor(extract(epoch FROM ran_at) * 1000 / $PERIOD_MS)),
           coalesce(sum(moved), 0), coalesce(max(period) - min(period) + 1, 0)
      FROM $SCHEMA.due_job_runs WHERE job = 'due' AND period_ms = $PERIOD_MS")"
  psql_q -F ' ' -c "SELECT split_part(ran_by, '@', 1), count(*) FROM $SCHEMA.due_job_runs
                     WHERE job = 'due' AND period_ms = $PERIOD_MS GROUP BY 1" >"$LOGS/claims-by-pid"
  for name in ledger1 ledger2; do RAN_AFTER[$name]="$(ran_metric "$name")"; done
  claims_of() { awk -v p="$1" '$1 == p { print $2 }' "$LOGS/claims-by-pid" | grep . || echo 0; }
  BY=""; COUNTED=ok
  for name in ledger1 ledger2; do
    parts=""
    for pid in $(awk -v n="$name" '$1 == n { print $2 }' "$LOGS/pids"); do parts+="${parts:++}$(claims_of "$pid")"; done
    [[ "$parts" == *+* ]] && parts+=" (per start)"
    BY+="${BY:+, }$name $parts"
    live="$(claims_of "${PID[$name]}")"
    if [[ -z "${RAN_BEFORE[$name]}" || -z "${RAN_AFTER[$name]}" ]] \
        || (( live < ${RAN_BEFORE[$name]} || live > ${RAN_AFTER[$name]} )); then
      COUNTED="no ($name: $live claims, counted ${RAN_BEFORE[$name]:-?}..${RAN_AFTER[$name]:-?} runs)"
    fi
  done
  CLAIMS_TEXT="$CLAIMS claims in $CLAIM_SPAN periods, $CLAIM_DOUBLED doubled, $CLAIM_ELSEWHERE outside their period, moved $CLAIM_MOVED; by $BY; runs counted = claims: $COUNTED"
  [[ $CLAIMS -gt 0 && $CLAIM_DOUBLED == 0 && $CLAIM_ELSEWHERE == 0 && $CLAIM_MOVED == "$DUE_N" && $COUNTED == ok ]] \
    && v7=ok
fi

# (verdict runs in $(...), a subshell: the exit status is decided from v1..v7 below, not in it.)
verdict() { if [[ "$1" == ok ]]; then echo "ok"; else echo "FAILED"; fi; }
[[ $CL_LOST == 0 && $CL_DUP == 0 ]] && v1=ok || v1=no
[[ $PB_LOST == 0 && $PB_DUP == 0 ]] && v2=ok || v2=no
[[ $CM_MISSING == 0 && $CM_DUP == 0 ]] && v3=ok || v3=no
[[ $RL_OK == "$RATE_LIMIT" && $RL_OTHER == 0 ]] && v4=ok || v4=no
[[ "$RV_BEFORE" == 200 && -n "$RV_MS" && "$RV_MS" -lt 1000 ]] && v5=ok || v5=no
[[ $DUE_LATE == 0 && $DUE_TWICE == 0 && $DUE_N -gt 0 ]] && v6=ok || v6=no
echo
echo "scale-out run $RUN: ${DURATION} s at ${RATE} redirects/s through HAProxy; SIGKILL + restart of edge1, ledger1, api1; webhooks process: $WEBHOOKS"
printf '%-34s %12s %10s %8s %11s  %s\n' check acknowledged stored lost duplicated verdict
printf '%-34s %12s %10s %8s %11s  %s\n' "302 clicks" "$ACK_CLICKS" "$CL_STORED" "$CL_LOST" "$CL_DUP" "$(verdict $v1)"
printf '%-34s %12s %10s %8s %11s  %s\n' "2xx postbacks (sales)" "$ACK_SALES" "$PB_STORED" "$PB_LOST" "$PB_DUP" "$(verdict $v2)"
printf '%-34s %12s %10s %8s %11s  %s\n' "commissions (one per sale)" "$PB_STORED" "-" "$CM_MISSING" "$CM_DUP" "$(verdict $v3)"
printf '%-34s %s  %s\n' "rate limit $RATE_LIMIT, 2 API processes" "$RL_OK x 200, $RL_429 x 429, $RL_OTHER other of $((3 * RATE_LIMIT))" "$(verdict $v4)"
printf '%-34s %s  %s\n' "key revoked on api1, api2 refuses" "$RV_TEXT (before: $RV_BEFORE)" "$(verdict $v5)"
printf '%-34s %s  %s\n' "due job (every $PERIOD_MS ms)" "$DUE_N due, $DUE_LATE pending past 2 periods, $DUE_TWICE moved twice" "$(verdict $v6)"
printf '%-34s %s  %s\n' "due job runs, one per period" "$CLAIMS_TEXT" "$(verdict $v7)"
echo "not answered 302/2xx (not counted as acknowledged): clicks $(( $(get clicks_other) + $(get clicks_failed) )), postbacks $(( $(get postbacks_other) + $(get postbacks_failed) )) ($(sed -n 's/^STATUSES //p' "$LOGS/load.out")); stored though unanswered: clicks $((CL_STORED - ACK_CLICKS + CL_LOST - SETUP_CLICKS)) (besides the set-up's $SETUP_CLICKS), sales $((PB_STORED - ACK_SALES + PB_LOST))"
failed=0
for v in "$v1" "$v2" "$v3" "$v4" "$v5" "$v6" "${v7:-no}"; do [[ "$v" == ok ]] || failed=1; done
exit "$failed"
