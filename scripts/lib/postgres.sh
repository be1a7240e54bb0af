# Starts a throw-away PostgreSQL server on 127.0.0.1 in a temporary directory (sourced by
# scripts/test and scripts/bench). After `postgres_start PORT`, SWITCHYARD_TEST_POSTGRES_URL
# points at it; `postgres_stop` (set as an EXIT trap by postgres_start) removes it.
# The server runs with fsync=off unless PG_FSYNC=on.
#
# `postgres_start_fsync PORT` (scripts/bench) starts a second server beside it, always with
# fsync=on, and exports its URL as SWITCHYARD_BENCH_FSYNC_POSTGRES_URL; postgres_stop removes
# every server started here.

PG_RUN_DIRS=()

postgres_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ "$(id -u)" -eq 0 ]; then
  pg_as() { runuser -u postgres -- "$@"; }
else
  pg_as() { "$@"; }
fi

# postgres_launch DIR PORT FSYNC [EXTRA OPTIONS]: initdb in DIR/pg and start the server.
postgres_launch() {
  local dir=$1 port=$2 fsync=$3 extra=${4:-}
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  PG_RUN_DIRS+=("$dir")
  pg_as "$PGBIN/initdb" -D "$dir/pg" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  pg_as "$PGBIN/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=$fsync -c max_connections=300 $extra" start >/dev/null
}

postgres_start() {
  local port=$1
  PGBIN=$(postgres_bin)
  PG_RUN_DIR=$(mktemp -d /tmp/switchyard-pg.XXXXXX)
  trap postgres_stop EXIT
  # A self-signed certificate for the name "localhost" only (no IP address), so tests can show
  # verify-full accepting localhost and refusing 127.0.0.1, which the certificate does not name.
  local tls=""
  if command -v openssl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost" \
      -keyout "$PG_RUN_DIR/server.key" -out "$PG_RUN_DIR/server.crt" >/dev/null 2>&1
    chmod 600 "$PG_RUN_DIR/server.key"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_RUN_DIR/server.key" "$PG_RUN_DIR/server.crt"
    tls="-c ssl=on -c ssl_cert_file=$PG_RUN_DIR/server.crt -c ssl_key_file=$PG_RUN_DIR/server.key"
    export SWITCHYARD_TEST_POSTGRES_CA="$PG_RUN_DIR/server.crt"
  fi
  postgres_launch "$PG_RUN_DIR" "$port" "${PG_FSYNC:-off}" "$tls"
  export SWITCHYARD_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export SWITCHYARD_TEST_PGBIN="$PGBIN"
}

postgres_start_fsync() {
  local port=$1
  PGBIN=${PGBIN:-$(postgres_bin)}
  trap postgres_stop EXIT
  postgres_launch "$(mktemp -d /tmp/switchyard-pg-fsync.XXXXXX)" "$port" on
  export SWITCHYARD_BENCH_FSYNC_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

postgres_stop() {
  local dir
  for dir in "${PG_RUN_DIRS[@]}"; do
    pg_as "$PGBIN/pg_ctl" -D "$dir/pg" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  done
  PG_RUN_DIRS=()
}
