#!/usr/bin/env bash
# Installs the Temporal CLI, pinned, into the project's tools folder:
#   <repo>/.capstan/tools/bin/temporal   (gitignored; ./capstan up finds it there)
# It builds the CLI with `go install` from the Go module proxy, so Go is the only prerequisite.
# v1.5.1 is the newest tag that go install accepts: later tags carry a `replace` directive.
# Does nothing when the binary is already there and reports the pinned server version.
#
# Usage: scripts/install-temporal-cli.sh [--force]
#   --force            build again even when the binary is there
#   CAPSTAN_TOOLS_BIN  install into this folder instead (used to try the script elsewhere)
set -euo pipefail

readonly CLI_MODULE="github.com/temporalio/cli/cmd/temporal"
readonly CLI_VERSION="v1.5.1"
# What `temporal --version` names for that tag; a binary naming another server is rebuilt.
readonly SERVER_VERSION="1.29.1"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
bin_dir="${CAPSTAN_TOOLS_BIN:-$root/.capstan/tools/bin}"
target="$bin_dir/temporal"
force=false
case "${1:-}" in
  "") ;;
  --force) force=true ;;
  -h | --help)
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "install-temporal-cli: unknown argument '$1' (--force or --help)" >&2
    exit 2
    ;;
esac

installed() {
  [[ -x "$target" ]] && "$target" --version 2>/dev/null | grep -qF "(Server $SERVER_VERSION,"
}

if ! $force && installed; then
  echo "Temporal CLI $CLI_VERSION is installed: $target ($("$target" --version))"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
install-temporal-cli: Go is not installed, so the Temporal CLI $CLI_VERSION cannot be built.
  Install Go 1.25 or newer (the CLI's go.mod asks for it; https://go.dev/dl/) and run this again,
  or put a temporal binary of CLI $CLI_VERSION at $target
  (or name one with CAPSTAN_TEMPORAL_CLI / ./capstan up --temporal-cli PATH).
MSG
  exit 1
fi

# The CLI's go.mod asks for Go 1.25. An older go (1.21 or newer) can fetch a newer toolchain
# itself, from the module proxy like any module, when GOTOOLCHAIN names one; older than 1.21
# cannot, and is reported.
go_minor="$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
if [[ -n "$go_minor" && "$go_minor" -lt 25 ]]; then
  if [[ "$go_minor" -lt 21 ]]; then
    echo "install-temporal-cli: $(go env GOVERSION) is too old to build the Temporal CLI $CLI_VERSION; install Go 1.25 or newer and run this again" >&2
    exit 1
  fi
  export GOTOOLCHAIN="${CAPSTAN_GOTOOLCHAIN:-go1.27.3}"
  echo "install-temporal-cli: $(GOTOOLCHAIN=local go env GOVERSION) is older than the CLI's Go 1.25; using toolchain $GOTOOLCHAIN from the module proxy"
fi

# Only the Go module proxy may be contacted: drop `direct` (fetching from the code hosts) from
# whatever proxy list this machine uses. The checksum database is reached through the proxy.
proxy="$(go env GOPROXY)"
proxy="${proxy//,direct/}"
proxy="${proxy//|direct/}"
if [[ -z "$proxy" || "$proxy" == "direct" || "$proxy" == "off" ]]; then
  echo "install-temporal-cli: GOPROXY is '$(go env GOPROXY)'; set it to a Go module proxy and run this again" >&2
  exit 1
fi

mkdir -p "$bin_dir"
echo "installing the Temporal CLI $CLI_VERSION into $bin_dir (go install from the Go module proxy; a few minutes the first time)…"
started=$SECONDS
# -mod=mod: the module is resolved from the proxy alone, never from a go.mod or vendor folder here.
if ! GOBIN="$bin_dir" GOPROXY="$proxy" GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" \
  go install "$CLI_MODULE@$CLI_VERSION"; then
  echo "install-temporal-cli: go install $CLI_MODULE@$CLI_VERSION failed (output above)" >&2
  exit 1
fi
elapsed=$((SECONDS - started))

if ! installed; then
  echo "install-temporal-cli: $target does not report Server $SERVER_VERSION:" >&2
  "$target" --version >&2 || true
  exit 1
fi
printf 'installed %s (%s) in %dm%02ds\n' "$target" "$("$target" --version)" \
  $((elapsed / 60)) $((elapsed % 60))
