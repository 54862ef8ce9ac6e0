#!/usr/bin/env bash
# Make sure the local services Tracklane's tests need are up:
#   PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) with a database "test"
#   Redis      on 127.0.0.1:6379
# Starts them if they are installed but down; exits 1 with install hints if not installed.
# (Kafka is handled separately by scripts/kafka.sh.)
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres
PG_DB=test
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
WAIT_SECONDS=30

log() { echo "services.sh: $*" >&2; }
die() { echo "services.sh: ERROR: $*" >&2; exit 1; }

# Debian puts pg_ctlcluster/createdb/pg_isready in /usr/bin via postgresql-common, but
# fall back to the versioned bin dir in case only the server package is there.
for d in /usr/lib/postgresql/*/bin; do
  [[ -d "$d" ]] && PATH="$PATH:$d"
done
export PATH

missing=()
command -v pg_isready >/dev/null 2>&1 || missing+=("pg_isready (package postgresql-client)")
command -v redis-cli  >/dev/null 2>&1 || missing+=("redis-cli (package redis-tools)")
if ((${#missing[@]})); then
  die "missing: ${missing[*]}. Install with: apt-get install postgresql redis-server"
fi

pg_up()    { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1; }
redis_up() { [[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == "PONG" ]]; }

wait_for() { # wait_for NAME CHECK_FN
  local name="$1" check="$2" deadline=$((SECONDS + WAIT_SECONDS))
  until "$check"; do
    (( SECONDS < deadline )) || return 1
    sleep 0.5
  done
  log "$name is up"
}

# ----------------------------------------------------------------------------- PostgreSQL
if pg_up; then
  log "PostgreSQL is up on $PG_HOST:$PG_PORT"
else
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    die "PostgreSQL is not running on $PG_HOST:$PG_PORT and no server cluster is installed. Install with: apt-get install postgresql redis-server"
  fi
  # one cluster per major version is expected; take the newest
  pg_version="$(ls /etc/postgresql | sort -V | tail -n1)"
  log "starting PostgreSQL $pg_version cluster 'main'"
  pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start \
    || log "pg_ctlcluster start returned non-zero (may already be starting)"
  wait_for PostgreSQL pg_up || die "PostgreSQL did not come up on $PG_HOST:$PG_PORT within ${WAIT_SECONDS}s (see /var/log/postgresql/)"
fi

# database "test"
if ! command -v psql >/dev/null 2>&1 || ! command -v createdb >/dev/null 2>&1; then
  die "psql/createdb missing (package postgresql-client). Install with: apt-get install postgresql redis-server"
fi
exists="$(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
          "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" 2>&1)" \
  || die "cannot query PostgreSQL as user $PG_USER: $exists"
if [[ "$exists" == "1" ]]; then
  log "database '$PG_DB' exists"
else
  log "creating database '$PG_DB'"
  createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
fi

# ----------------------------------------------------------------------------- Redis
if redis_up; then
  log "Redis is up on $REDIS_HOST:$REDIS_PORT"
else
  command -v redis-server >/dev/null 2>&1 \
    || die "Redis is not running on $REDIS_HOST:$REDIS_PORT and redis-server is not installed. Install with: apt-get install postgresql redis-server"
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis redis_up || die "Redis did not come up on $REDIS_HOST:$REDIS_PORT within ${WAIT_SECONDS}s (see /var/log/redis/ci.log)"
fi

echo "services ok: postgresql://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB redis://$REDIS_HOST:$REDIS_PORT"
