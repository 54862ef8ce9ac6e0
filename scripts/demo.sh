#!/usr/bin/env bash
# Starts the whole engine with a demo program on this machine:
#   builds the jar, makes sure PostgreSQL and Redis run, starts a Kafka broker (KRaft) in its own JVM,
#   migrates, creates a demo program/campaign/affiliate/link, prints the keys, link and a postback curl,
#   and runs until Ctrl-C; then it stops the engine and the broker it started.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

kafka_dir="$root/.tracklane/kafka"
kafka_port="${TRACKLANE_DEMO_KAFKA_PORT:-9092}"

bash scripts/services.sh
echo "demo: building the jar (first run downloads dependencies)..." >&2
mvn -q -B -ntp package -DskipTests

started_broker=no
if ! bash scripts/kafka.sh status --dir "$kafka_dir" >/dev/null 2>&1; then
  started_broker=yes
fi
bash scripts/kafka.sh start --dir "$kafka_dir" --port "$kafka_port" >&2

engine_pid=""
cleanup() {
  trap - INT TERM EXIT
  if [[ -n "$engine_pid" ]] && kill -0 "$engine_pid" 2>/dev/null; then
    kill -TERM "$engine_pid" 2>/dev/null || true
    wait "$engine_pid" 2>/dev/null || true
  fi
  if [[ "$started_broker" == yes ]]; then
    bash scripts/kafka.sh stop --dir "$kafka_dir" >&2 || true
  fi
}
trap cleanup INT TERM EXIT

export TRACKLANE_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$kafka_port"
java -Xmx512m -jar target/tracklane.jar demo &
engine_pid=$!
wait "$engine_pid" || true
