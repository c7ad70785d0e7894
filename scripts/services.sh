#!/usr/bin/env bash
# Installs (when missing) and starts MariaDB and Redis as background daemons on this machine,
# then makes sure the test database and user exist. Idempotent: safe to run when they already run.
# Used by the test command and by .ci/run; docker-compose.yml is the way on machines with Docker.
set -euo pipefail

DB_NAME="${SERVICES_DB_NAME:-contacts_test}"
DB_USER="${SERVICES_DB_USER:-contacts}"
DB_PASSWORD="${SERVICES_DB_PASSWORD:-contacts}"
REDIS_PORT="${SERVICES_REDIS_PORT:-6379}"

log() { echo "[services] $*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "[services] need root to run: $*" >&2; return 1; fi
}

install_missing() {
  local missing=()
  command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} from Debian's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

mariadb_up() { mariadb-admin --protocol=socket -uroot ping >/dev/null 2>&1 || as_root mariadb-admin ping >/dev/null 2>&1; }

start_mariadb() {
  if mariadb_up; then log "MariaDB already running"; return 0; fi
  log "starting MariaDB"
  as_root mkdir -p /run/mysqld
  as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
  if [ ! -d /var/lib/mysql/mysql ]; then
    as_root mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  fi
  # Tuned for a test machine: durability traded for speed, large enough buffers for the bench.
  as_root bash -c 'nohup mariadbd --user=mysql --datadir=/var/lib/mysql --bind-address=127.0.0.1 \
      --port=3306 --socket=/run/mysqld/mysqld.sock --innodb-buffer-pool-size=2G \
      --innodb-flush-log-at-trx-commit=2 --innodb-log-file-size=512M --max-connections=500 \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      >/tmp/mariadb.log 2>&1 &'
  for _ in $(seq 1 60); do mariadb_up && return 0; sleep 1; done
  echo "[services] MariaDB did not start; see /tmp/mariadb.log" >&2
  tail -20 /tmp/mariadb.log >&2 || true
  return 1
}

start_redis() {
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then log "Redis already running"; return 0; fi
  log "starting Redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --logfile /tmp/redis.log
  for _ in $(seq 1 30); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "[services] Redis did not start; see /tmp/redis.log" >&2
  return 1
}

create_database() {
  as_root mariadb -uroot <<SQL
CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '${DB_USER}'@'localhost' IDENTIFIED BY '${DB_PASSWORD}';
CREATE USER IF NOT EXISTS '${DB_USER}'@'127.0.0.1' IDENTIFIED BY '${DB_PASSWORD}';
GRANT ALL PRIVILEGES ON \`contacts\\_%\`.* TO '${DB_USER}'@'localhost';
GRANT ALL PRIVILEGES ON \`contacts\\_%\`.* TO '${DB_USER}'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
}

install_missing
start_mariadb
start_redis
create_database
log "ready: mysql://${DB_USER}:${DB_PASSWORD}@127.0.0.1:3306/${DB_NAME} and redis://127.0.0.1:${REDIS_PORT}"
