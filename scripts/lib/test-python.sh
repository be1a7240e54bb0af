# Sourced by scripts/test: a Python venv in .build/test-venv with the packages the test servers
# in Tests/Servers need (httpbin for the outbound HTTP client tests), exported to the tests as
# SWITCHYARD_TEST_PYTHON. Reinstalls when the pinned versions change.
test_python_packages="httpbin==0.10.4 flask==3.1.3 werkzeug==3.1.9 authlib==1.9.10"
test_python_venv="$PWD/.build/test-venv"
if [ "$(cat "$test_python_venv/.packages" 2>/dev/null)" != "$test_python_packages" ]; then
  printf '[scripts/test] %s\n' "installing the Python test servers' packages"
  rm -rf "$test_python_venv"
  if ! python3 -m venv "$test_python_venv" >/dev/null 2>&1; then
    # Debian's python3 has no venv module until python3-venv is installed.
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
    rm -rf "$test_python_venv"
    python3 -m venv "$test_python_venv"
  fi
  # shellcheck disable=SC2086
  "$test_python_venv/bin/pip" install -q $test_python_packages
  printf '%s' "$test_python_packages" > "$test_python_venv/.packages"
fi
export SWITCHYARD_TEST_PYTHON="$test_python_venv/bin/python"
