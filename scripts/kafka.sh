#!/usr/bin/env bash
# Single-node Kafka (KRaft, broker+controller) for local development and tests.
#
#   scripts/kafka.sh fetch                          resolve broker jars into .tracklane/kafka-lib/
#   scripts/kafka.sh start [--dir DIR] [--port PORT] start (or reuse) a broker; last stdout line:
#                                                   KAFKA_BOOTSTRAP=127.0.0.1:PORT
#   scripts/kafka.sh stop  [--dir DIR]              stop the broker started from DIR
#   scripts/kafka.sh status [--dir DIR]             exit 0 if the broker from DIR is running
#
# DIR defaults to <repo>/.tracklane/kafka; a relative --dir is taken relative to the
# current working directory. PORT defaults to 9092. The controller listener gets the
# first free port from PORT+1 upwards. Everything listens on 127.0.0.1 only.
#
# The jars come from tools/kafka/pom.xml (org.apache.kafka:kafka_2.13:4.3.0 + log4j2
# binding + kafka-tools for the readiness check). Needs java 17+ and mvn on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIB="$ROOT/.tracklane/kafka-lib"
POM="$ROOT/tools/kafka/pom.xml"
MARKER="$LIB/.fetched"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
[[ -x "$JAVA" ]] || JAVA=java

START_TIMEOUT=90
STOP_TIMEOUT=30

log() { echo "kafka.sh: $*" >&2; }
die() { echo "kafka.sh: ERROR: $*" >&2; exit 1; }

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------------------- fetch

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

# marker written after a successful copy holds the pom's hash, so editing the pom re-fetches
fetched() {
  [[ -f "$MARKER" && "$(cat "$MARKER")" == "$1" ]] && compgen -G "$LIB/kafka_2.13-*.jar" >/dev/null
}

fetch() {
  [[ -f "$POM" ]] || die "missing $POM"
  local want; want="$(pom_hash)"
  if fetched "$want"; then
    return 0
  fi
  mkdir -p "$ROOT/.tracklane"
  # Serialize concurrent fetches (e.g. several test JVMs starting at once).
  exec 8>"$ROOT/.tracklane/kafka-lib.lock"
  flock 8
  if fetched "$want"; then
    exec 8>&-
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (needed to resolve the Kafka jars)"
  log "resolving Kafka broker jars into $LIB ..."
  local tmp="$ROOT/.tracklane/kafka-lib.tmp.$$"
  rm -rf "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
        -DoutputDirectory="$tmp" -DincludeScope=runtime >&2; then
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed for $POM"
  fi
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || { rm -rf "$tmp"; die "kafka_2.13 jar missing after copy"; }
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
  echo "$want" >"$MARKER"
  exec 8>&-
  log "fetched $(ls "$LIB"/*.jar | wc -l) jars"
}

# ---------------------------------------------------------------------------- helpers

DIR=""
PORT=9092

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dir)  [[ $# -ge 2 ]] || die "--dir needs a value"; DIR="$2"; shift 2 ;;
      --dir=*) DIR="${1#--dir=}"; shift ;;
      --port) [[ $# -ge 2 ]] || die "--port needs a value"; PORT="$2"; shift 2 ;;
      --port=*) PORT="${1#--port=}"; shift ;;
      -h|--help) usage ;;
      *) die "unknown argument: $1" ;;
    esac
  done
  [[ "$PORT" =~ ^[0-9]+$ && "$PORT" -ge 1 && "$PORT" -le 65534 ]] || die "bad --port: $PORT"
  if [[ -z "$DIR" ]]; then
    DIR="$ROOT/.tracklane/kafka"
  elif [[ "$DIR" != /* ]]; then
    DIR="$PWD/$DIR"
  fi
  PIDFILE="$DIR/broker.pid"
  LOGFILE="$DIR/broker.log"
  PROPS="$DIR/server.properties"
}

# true if something accepts TCP connections on 127.0.0.1:$1
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1
}

# pid of the live broker started from $DIR, or empty
running_pid() {
  [[ -f "$PIDFILE" ]] || return 0
  local pid; pid="$(tr -dc '0-9' <"$PIDFILE")"
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  # Guard against pid reuse: it must be a kafka.Kafka JVM started with our server.properties.
  local cmd; cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmd" == *kafka.Kafka* && "$cmd" == *"$PROPS"* ]] || return 0
  echo "$pid"
}

prop() { # prop KEY FILE
  sed -n "s/^$1=//p" "$2" 2>/dev/null | tail -n1
}

tail_log() {
  if [[ -f "$LOGFILE" ]]; then
    echo "----- last 60 lines of $LOGFILE -----" >&2
    tail -n 60 "$LOGFILE" >&2 || true
    echo "-------------------------------------" >&2
  fi
}

# Broker answers a DescribeCluster request with the cluster id we formatted.
broker_answers() {
  local port="$1" expected="$2" out
  out="$(timeout 30 "$JAVA" -Xmx128m -XX:TieredStopAtLevel=1 -cp "$LIB/*" \
          org.apache.kafka.tools.ClusterTool cluster-id --bootstrap-server "127.0.0.1:$port" 2>/dev/null)" || return 1
  [[ "$out" == *"Cluster ID: $expected"* ]]
}

wait_ready() {
  local pid="$1" port="$2" cluster_id="$3" deadline=$((SECONDS + START_TIMEOUT))
  while (( SECONDS < deadline )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail_log
      rm -f "$PIDFILE"
      die "broker process $pid exited during startup (see $LOGFILE)"
    fi
    if port_open "$port" && broker_answers "$port" "$cluster_id"; then
      return 0
    fi
    sleep 0.5
  done
  tail_log
  die "broker (pid $pid) did not become ready on 127.0.0.1:$port within ${START_TIMEOUT}s; it is left running, stop it with: $0 stop --dir $DIR"
}

write_configs() {
  local port="$1" cport="$2"
  cat >"$PROPS" <<EOF
# Generated by scripts/kafka.sh - rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$DIR/data
num.partitions=4
default.replication.factor=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=16777216
log.retention.check.interval.ms=300000
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
  cat >"$DIR/log4j2.properties" <<EOF
# Generated by scripts/kafka.sh. Broker stdout/stderr go to broker.log.
status = warn
shutdownHook = disable
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
EOF
}

# ---------------------------------------------------------------------------- start / stop

start() {
  parse_args "$@"
  fetch
  mkdir -p "$DIR"

  local pid; pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    local rport; rport="$(prop listeners "$PROPS" | sed -n 's#.*PLAINTEXT://127.0.0.1:\([0-9]*\).*#\1#p')"
    [[ "$rport" == "$PORT" ]] || log "WARNING: broker from $DIR already runs on port $rport (not $PORT)"
    log "broker already running (pid $pid) from $DIR"
    wait_ready "$pid" "$rport" "$(prop cluster.id "$DIR/data/meta.properties")"
    echo "KAFKA_BOOTSTRAP=127.0.0.1:$rport"
    return 0
  fi
  rm -f "$PIDFILE"

  port_open "$PORT" && die "127.0.0.1:$PORT is already in use by another process (not a broker started from $DIR)"

  local cport=$((PORT + 1))
  while port_open "$cport"; do
    cport=$((cport + 1))
    (( cport <= 65535 && cport < PORT + 200 )) || die "no free controller port near $PORT"
  done

  write_configs "$PORT" "$cport"

  local cluster_id
  if [[ -f "$DIR/data/meta.properties" ]]; then
    cluster_id="$(prop cluster.id "$DIR/data/meta.properties")"
  else
    cluster_id="$("$JAVA" -cp "$LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    [[ -n "$cluster_id" ]] || die "kafka.tools.StorageTool random-uuid failed"
    log "formatting $DIR/data (cluster id $cluster_id)"
    if ! "$JAVA" -cp "$LIB/*" -Dlog4j2.configurationFile="$DIR/log4j2.properties" \
          kafka.tools.StorageTool format --config "$PROPS" --cluster-id "$cluster_id" \
          >"$DIR/format.log" 2>&1; then
      cat "$DIR/format.log" >&2
      die "kafka.tools.StorageTool format failed"
    fi
  fi
  [[ -n "$cluster_id" ]] || die "no cluster.id in $DIR/data/meta.properties"

  log "starting broker on 127.0.0.1:$PORT (controller 127.0.0.1:$cport), log: $LOGFILE"
  # setsid: own session, so the broker survives the calling shell / test JVM.
  # stdin/stdout/stderr must not be inherited (a caller reading our stdout would hang).
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$PIDFILE" \
    "$JAVA" -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$DIR/log4j2.properties" \
    -Dkafka.logs.dir="$DIR" \
    -cp "$LIB/*" kafka.Kafka "$PROPS" \
    </dev/null >"$LOGFILE" 2>&1 &

  # wait for the pid file written by the child
  local i
  for i in $(seq 1 50); do
    [[ -s "$PIDFILE" ]] && break
    sleep 0.1
  done
  [[ -s "$PIDFILE" ]] || die "broker did not write $PIDFILE"
  pid="$(tr -dc '0-9' <"$PIDFILE")"

  local t0=$SECONDS
  wait_ready "$pid" "$PORT" "$cluster_id"
  log "broker ready (pid $pid) after $((SECONDS - t0))s"
  echo "KAFKA_BOOTSTRAP=127.0.0.1:$PORT"
}

stop() {
  parse_args "$@"
  local pid; pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PIDFILE"
    log "no broker running from $DIR"
    return 0
  fi
  log "stopping broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "broker did not stop within ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PIDFILE"
  log "stopped"
}

status() {
  parse_args "$@"
  local pid; pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    echo "running (pid $pid): $(prop advertised.listeners "$PROPS")"
  else
    echo "not running"
    return 1
  fi
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
  fetch)  fetch "$@" ;;
  start)  start "$@" ;;
  stop)   stop "$@" ;;
  status) status "$@" ;;
  *) usage ;;
esac
