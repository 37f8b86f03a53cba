#!/usr/bin/env bash
# Installs moto_server (moto[server] from PyPI, pinned) into the project's tools folder:
#   <repo>/.capstan/tools/moto   (a Python virtual environment; gitignored)
# moto_server is the simulated AWS the tests (and ./capstan up) drive through the real AWS SDK:
# S3 for outputs stored by reference, Auto Scaling and EC2 for clusters. Python 3.9+ with its venv
# module is the only prerequisite (on Debian the script installs python3-venv when it is missing).
# Does nothing when the pinned version is there.
#
# Usage: scripts/install-moto.sh [--force]
#   --force             create the virtual environment again even when the version is there
#   CAPSTAN_MOTO_VENV   install into this folder instead (used to try the script elsewhere)
set -euo pipefail

readonly MOTO_VERSION="5.2.5"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
venv="${CAPSTAN_MOTO_VENV:-$root/.capstan/tools/moto}"
force=false
case "${1:-}" in
  "") ;;
  --force) force=true ;;
  -h | --help)
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "install-moto: unknown argument '$1' (--force or --help)" >&2
    exit 2
    ;;
esac

installed_version() {
  [[ -x "$venv/bin/python" && -x "$venv/bin/moto_server" ]] &&
    "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null
}

if ! $force && [[ "$(installed_version || true)" == "$MOTO_VERSION" ]]; then
  echo "moto $MOTO_VERSION is installed: $venv/bin/moto_server"
  exit 0
fi

python=""
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null 2>&1 &&
    "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
    python="$(command -v "$candidate")"
    break
  fi
done
if [[ -z "$python" ]] || ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "installing Python 3 and its venv module for moto (Debian packages)…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    python="$(command -v python3)"
  else
    echo "install-moto: Python 3.9 or newer with its venv module is needed; install it and run this again" >&2
    exit 1
  fi
fi

echo "installing moto[server] $MOTO_VERSION into $venv (pip, from PyPI)…"
started=$SECONDS
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  "moto[server]==$MOTO_VERSION"
if [[ "$(installed_version || true)" != "$MOTO_VERSION" ]]; then
  echo "install-moto: $venv does not hold moto $MOTO_VERSION after pip install" >&2
  exit 1
fi
printf 'installed moto %s into %s in %ds\n' "$MOTO_VERSION" "$venv" $((SECONDS - started))
