# Sourced by test-python.sh and bench-python.sh: python_venv DIR "PACKAGES" LABEL makes (or
# keeps) a venv at DIR with exactly the pinned PACKAGES, reinstalling when the pins change;
# LABEL names the script in its one progress line (on standard error).
python_venv() {
  local venv="$1" packages="$2" label="$3"
  if [ "$(cat "$venv/.packages" 2>/dev/null)" != "$packages" ]; then
    printf '[%s] installing Python packages: %s\n' "$label" "$packages" >&2
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
      # Debian's python3 has no venv module until python3-venv is installed.
      local SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
      rm -rf "$venv"
      python3 -m venv "$venv"
    fi
    # shellcheck disable=SC2086
    "$venv/bin/pip" install -q $packages >&2
    printf '%s' "$packages" > "$venv/.packages"
  fi
}
