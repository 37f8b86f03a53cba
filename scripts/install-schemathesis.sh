#!/usr/bin/env bash
# Installs schemathesis, pinned, into the project's tools folder:
#   <repo>/.capstan/tools/venv   (a Python virtual environment; gitignored)
# The e2e test SchemathesisIT runs .capstan/tools/venv/bin/schemathesis against the API's OpenAPI
# document. Python 3.9+ with its venv module is the only prerequisite (on Debian the script
# installs python3-venv when it is missing). Does nothing when the pinned version is there.
#
# Usage: scripts/install-schemathesis.sh [--force]
#   --force              create the virtual environment again even when the version is there
#   CAPSTAN_TOOLS_VENV   install into this folder instead (used to try the script elsewhere)
set -euo pipefail

readonly SCHEMATHESIS_VERSION="4.32.5"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
venv="${CAPSTAN_TOOLS_VENV:-$root/.capstan/tools/venv}"
force=false
case "${1:-}" in
  "") ;;
  --force) force=true ;;
  -h | --help)
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "install-schemathesis: unknown argument '$1' (--force or --help)" >&2
    exit 2
    ;;
esac

installed_version() {
  [[ -x "$venv/bin/python" && -x "$venv/bin/schemathesis" ]] &&
    "$venv/bin/python" -c \
      'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null
}

if ! $force && [[ "$(installed_version || true)" == "$SCHEMATHESIS_VERSION" ]]; then
  echo "schemathesis $SCHEMATHESIS_VERSION is installed: $venv/bin/schemathesis"
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
if [[ -z "$python" ]]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "installing Python 3 for schemathesis (Debian packages)…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    python="$(command -v python3)"
  else
    echo "install-schemathesis: Python 3.9 or newer is needed; install it and run this again" >&2
    exit 1
  fi
fi

# Debian splits venv (and ensurepip) out of its python3 package.
if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "installing python3-venv (Debian package)…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  else
    echo "install-schemathesis: $python has no venv module; install it and run this again" >&2
    exit 1
  fi
fi

echo "installing schemathesis $SCHEMATHESIS_VERSION into $venv (pip, from PyPI)…"
started=$SECONDS
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  "schemathesis==$SCHEMATHESIS_VERSION"
if [[ "$(installed_version || true)" != "$SCHEMATHESIS_VERSION" ]]; then
  echo "install-schemathesis: $venv does not hold schemathesis $SCHEMATHESIS_VERSION after pip install" >&2
  exit 1
fi
printf 'installed schemathesis %s into %s in %ds\n' "$SCHEMATHESIS_VERSION" "$venv" \
  $((SECONDS - started))
