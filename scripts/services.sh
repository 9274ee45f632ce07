# Throwaway PostgreSQL and Redis on free loopback ports, for tests and benchmarks. Source this file, then call
# start_services; everything is removed by stop_services (set as an EXIT trap).
# Exports DATABASE_URL and REDIS_URL.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

free_port() {
  .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_services() {
  SERVICES_DIR=$(mktemp -d /tmp/sachet-services.XXXXXX)
  chmod 755 "$SERVICES_DIR"
  local pg_port redis_port run_as=()
  pg_port=$(free_port)
  redis_port=$(free_port)

  # initdb refuses to run as root: use the postgres system user (or create an unprivileged one).
  if [ "$(id -u)" = 0 ]; then
    id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    run_as=(runuser -u postgres --)
  fi
  mkdir -p "$SERVICES_DIR/pg"
  [ ${#run_as[@]} -gt 0 ] && chown postgres "$SERVICES_DIR/pg"
  "${run_as[@]}" "$PG_BIN/initdb" -D "$SERVICES_DIR/pg/data" -A trust -U postgres --no-sync -E UTF8 >"$SERVICES_DIR/initdb.log" 2>&1 \
    || { cat "$SERVICES_DIR/initdb.log"; return 1; }
  "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/postgres.log" -w \
    -o "-p $pg_port -k $SERVICES_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$SERVICES_DIR/pg/postgres.log"; return 1; }

  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log" --dir "$SERVICES_DIR"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

  export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/sachet"
  export REDIS_URL="redis://127.0.0.1:$redis_port/0"
  export SACHET_PG_PORT=$pg_port SACHET_REDIS_PORT=$redis_port SACHET_SERVICES_DIR=$SERVICES_DIR
  echo "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"
}

stop_services() {
  [ -n "${SERVICES_DIR:-}" ] || return 0
  if [ -f "$SERVICES_DIR/redis.pid" ]; then kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true; fi
  if [ -d "$SERVICES_DIR/pg/data" ]; then
    if [ "$(id -u)" = 0 ]; then
      runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate stop >/dev/null 2>&1 || true
    else
      "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate stop >/dev/null 2>&1 || true
    fi
  fi
  rm -rf "$SERVICES_DIR"
}
