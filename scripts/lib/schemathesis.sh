#!/usr/bin/env bash
# Checks the live API's /openapi.json with openapi-spec-validator (PyPI), then runs schemathesis
# (PyPI) against a live `switchyard serve --role api` on the PostgreSQL server scripts/test
# started, once with an admin token and once with a tenant token, over every operation the
# document lists (the connect flow, the OAuth callback and the proxy included: their pages,
# redirects and upstream answers are described as such). Any server error or response that
# breaks /openapi.json fails it. Called by scripts/test.
# Strings are generated without U+0000: PostgreSQL cannot store it, and the API refuses it with
# a 400 naming the field (RESTConventionsTests), which no JSON schema of a free-form object says.
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { printf '[scripts/test] %s\n' "$*"; }

venv=".build/schemathesis-venv"
# Pinned: hypothesis 6.170.29 crashes inside schemathesis's generator ("AST constructor recursion
# depth mismatch") on some request bodies; reinstalled when the pins change.
pins="schemathesis==4.32.5 hypothesis==6.170.27"
if [ "$(cat "$venv/.pins" 2>/dev/null)" != "$pins" ]; then
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/st" ]; then
  log "installing schemathesis"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian's python3 has no venv module until python3-venv is installed.
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  # shellcheck disable=SC2086
  "$venv/bin/pip" install -q $pins
  printf '%s' "$pins" > "$venv/.pins"
fi
[ -x "$venv/bin/openapi-spec-validator" ] || "$venv/bin/pip" install -q "openapi-spec-validator>=0.7,<1"

binary="$(swift build --show-bin-path)/switchyard"
database="st_$(date +%s)_$$"
psql "$SWITCHYARD_TEST_POSTGRES_URL" -q -c "CREATE DATABASE $database"
data_dir=$(mktemp -d /tmp/switchyard-st.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATA_DIR="$data_dir" DATABASE_URL="${SWITCHYARD_TEST_POSTGRES_URL%/*}/$database" PORT="$port"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  psql "$SWITCHYARD_TEST_POSTGRES_URL" -q -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true
  rm -rf "$data_dir"
}
trap cleanup EXIT

"$binary" migrate >/dev/null
"$binary" serve --role api >"$data_dir/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/?wait=1000" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$data_dir/server.log"; exit 1; }
  sleep 0.1
done
log "openapi-spec-validator"
curl -sf "http://127.0.0.1:$port/openapi.json" -o "$data_dir/openapi.json"
"$venv/bin/openapi-spec-validator" "$data_dir/openapi.json"
# The document must list every operation; schemathesis below runs each of them.
operations=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(m) for m in d["paths"].values()))' "$data_dir/openapi.json")
log "the document lists $operations operations"
# The tenant token is minted for its own pass: the admin pass rotates the workspace secret
# (POST /workspace/rotate-secret), which retires a token signed two rotations ago.
for who in admin tenant; do
  if [ "$who" = admin ]; then
    token=$("$binary" token --admin)
  else
    token=$("$binary" token --tenant schemathesis-customer --name "Schemathesis")
  fi
  log "schemathesis ($who token)"
  # One worker: with two, hypothesis's ast.parse now and then crashes in Python 3.11's threads
  # ("AST constructor recursion depth mismatch", CPython gh-106905), a failure of the tool.
  "$venv/bin/st" --config-file scripts/lib/schemathesis.toml run "http://127.0.0.1:$port/openapi.json" \
    -H "Authorization: Bearer $token" --max-examples 25 --workers 1 --seed 1 --no-color \
    --generation-allow-x00 false \
    || { tail -50 "$data_dir/server.log"; exit 1; }
done
