#!/usr/bin/env bash
# Installs what tern's make targets need, once: Debian packages (apt) and a
# project-local Python venv from requirements.txt. Re-running is a fast no-op.
#   scripts/deps.sh apt      Debian packages (deps/apt-packages.txt)
#   scripts/deps.sh python   .venv from requirements.txt
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "deps: ERROR: $*" >&2; exit 1; }

apt_deps() {
  mapfile -t pkgs < <(grep -v '^\s*#' deps/apt-packages.txt | awk 'NF{print $1}')
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "deps: installing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"
    sudo=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null ||
    die "apt-get update failed; install by hand: apt-get install ${missing[*]}"
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install failed for: ${missing[*]}"
  echo "deps: Debian packages ready"
}

python_deps() {
  local want stamp
  want=$(sha256sum requirements.txt | cut -c1-16)
  stamp=.venv/.tern-deps-$want
  [ -f "$stamp" ] && return 0
  echo "deps: creating .venv from requirements.txt"
  command -v python3 >/dev/null || die "python3 not found"
  [ -x .venv/bin/python ] || python3 -m venv .venv || die "python3 -m venv failed (install python3-venv)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt ||
    die "pip install -r requirements.txt failed"
  rm -f .venv/.tern-deps-*
  touch "$stamp"
  echo "deps: Python venv ready"
}

case "${1:-}" in
  apt) apt_deps ;;
  python) python_deps ;;
  *) die "usage: $0 apt|python" ;;
esac
