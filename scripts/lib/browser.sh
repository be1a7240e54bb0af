#!/usr/bin/env bash
# Sourced by scripts/test after scripts/lib/test-python.sh: what the console's browser tests in
# Tests/Browser need. Debian's chromium, chromium-driver and nginx (installed when missing), and
# selenium, axe-selenium-python, pytest and pytest-xdist from PyPI in the test venv (reinstalled
# when the pinned versions change). Defines browser_tests, which runs the suite.
# Run directly, it runs the browser suite alone on what `swift build` built, extra arguments
# going to pytest: scripts/lib/browser.sh -k nginx
browser_alone=0
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  cd "$(dirname "$0")/../.."
  source scripts/lib/test-python.sh
  browser_alone=1
fi
browser_python_packages="selenium==4.51.0 pytest==9.2.0 pytest-xdist==3.8.0"
# axe-selenium-python 3.0.0 bundles axe-core 4.10; 2.1.6, the newest that declares Python 3.11,
# bundles axe-core 3.1 (2018), whose rules were wrong since (it refuses autocomplete=username on
# an email input). 3.0.0's metadata asks for Python 3.12, its one module runs on Debian 12's 3.11.
browser_axe_package="axe-selenium-python==3.0.0"

browser_missing=()
command -v chromium >/dev/null || browser_missing+=(chromium)
command -v chromedriver >/dev/null || browser_missing+=(chromium-driver)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || browser_missing+=(nginx)
if [ ${#browser_missing[@]} -gt 0 ]; then
  printf '[scripts/test] installing: %s\n' "${browser_missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # Debian's nginx package starts the system's nginx on port 80 where it can; the tests run their
  # own on loopback with their own configuration, so that one is not needed.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${browser_missing[@]}" >/dev/null
fi
if [ "$(cat "$test_python_venv/.browser-packages" 2>/dev/null)" != "$browser_python_packages $browser_axe_package" ]; then
  printf '[scripts/test] %s\n' "installing the browser tests' Python packages"
  # shellcheck disable=SC2086
  "$test_python_venv/bin/pip" install -q $browser_python_packages
  "$test_python_venv/bin/pip" install -q --no-deps --ignore-requires-python "$browser_axe_package"
  printf '%s' "$browser_python_packages $browser_axe_package" > "$test_python_venv/.browser-packages"
fi

# Runs Tests/Browser with pytest, two workers, one test file per worker at a time. Extra
# arguments go to pytest (e.g. -k crawl). Screenshots go to $SWITCHYARD_TEST_ARTIFACTS/screenshots.
browser_tests() {
  local artifacts="${SWITCHYARD_TEST_ARTIFACTS:-$PWD/.build/test-artifacts}"
  local status=0
  rm -rf "$artifacts/screenshots" "$artifacts/axe" "$artifacts/logs"
  mkdir -p "$artifacts"
  # The tests start a snapshot of the binary (a hard link, with its resources): scripts/serve's
  # `swift run` may relink .build's binary while the other worker starts it.
  local bin
  bin="$(swift build --show-bin-path)"
  rm -rf "$artifacts/bin" && mkdir -p "$artifacts/bin"
  ln "$bin/switchyard" "$artifacts/bin/switchyard" 2>/dev/null || cp "$bin/switchyard" "$artifacts/bin/switchyard"
  cp -R "$bin"/*.resources "$artifacts/bin/"
  # A hung test fails the run (timeout's 124) instead of holding CI.
  SWITCHYARD_TEST_ARTIFACTS="$artifacts" SWITCHYARD_BINARY="${SWITCHYARD_BINARY:-$artifacts/bin/switchyard}" \
    PYTHONDONTWRITEBYTECODE=1 timeout -k 30 "${SWITCHYARD_BROWSER_TIME_LIMIT:-10m}" \
    "$test_python_venv/bin/python" -m pytest -c Tests/Browser/pytest.ini --rootdir Tests/Browser \
    -n "${SWITCHYARD_BROWSER_WORKERS:-2}" --dist loadfile --durations=5 "$@" Tests/Browser || status=$?
  printf '[scripts/test] browser screenshots: %s\n' "$artifacts/screenshots"
  printf '[scripts/test] axe reports and server logs: %s, %s\n' "$artifacts/axe" "$artifacts/logs"
  # pytest's 5 means it ran no test: a failure here, never a pass.
  return "$status"
}

if [ "$browser_alone" = 1 ]; then
  export SWITCHYARD_TEST_REQUIRE_ALL="${SWITCHYARD_TEST_REQUIRE_ALL:-1}"
  browser_tests "$@"
fi
