# Starts a throw-away PostgreSQL server on 127.0.0.1 in a temporary directory (sourced by
# scripts/test and scripts/bench). After `postgres_start PORT`, SWITCHYARD_TEST_POSTGRES_URL
# points at it; `postgres_stop` (set as an EXIT trap by postgres_start) removes it.

postgres_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

postgres_start() {
  local port=$1
  PGBIN=$(postgres_bin)
  PG_RUN_DIR=$(mktemp -d /tmp/switchyard-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PG_RUN_DIR"
    pg_as() { runuser -u postgres -- "$@"; }
  else
    pg_as() { "$@"; }
  fi
  trap postgres_stop EXIT
  pg_as "$PGBIN/initdb" -D "$PG_RUN_DIR/pg" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
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
  pg_as "$PGBIN/pg_ctl" -D "$PG_RUN_DIR/pg" -l "$PG_RUN_DIR/pg.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_RUN_DIR -c fsync=off -c max_connections=300 $tls" start >/dev/null
  export SWITCHYARD_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export SWITCHYARD_TEST_PGBIN="$PGBIN"
}

postgres_stop() {
  [ -n "${PG_RUN_DIR:-}" ] || return 0
  pg_as "$PGBIN/pg_ctl" -D "$PG_RUN_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_RUN_DIR"
}
