# Sourced by scripts/bench: a Python venv in .build/bench-venv with the packages the benchmarks
# compare against (PgQueuer, for the jobs benchmark), exported as SWITCHYARD_BENCH_PYTHON.
# Reinstalls when the pinned versions change.
bench_python_packages="pgqueuer==1.6.0 asyncpg==0.32.0 uvloop==0.23.0"
bench_python_venv="$PWD/.build/bench-venv"
if [ "$(cat "$bench_python_venv/.packages" 2>/dev/null)" != "$bench_python_packages" ]; then
  printf '[scripts/bench] %s\n' "installing the benchmarks' Python packages" >&2
  rm -rf "$bench_python_venv"
  if ! python3 -m venv "$bench_python_venv" >/dev/null 2>&1; then
    # Debian's python3 has no venv module until python3-venv is installed.
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
    rm -rf "$bench_python_venv"
    python3 -m venv "$bench_python_venv"
  fi
  # shellcheck disable=SC2086
  "$bench_python_venv/bin/pip" install -q $bench_python_packages >&2
  printf '%s' "$bench_python_packages" > "$bench_python_venv/.packages"
fi
export SWITCHYARD_BENCH_PYTHON="$bench_python_venv/bin/python"
