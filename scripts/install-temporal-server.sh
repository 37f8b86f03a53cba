#!/usr/bin/env bash
# Installs Temporal Server and its SQL schema tool, pinned, into the project's tools folder:
#   <repo>/.capstan/tools/bin/temporal-server     (gitignored; scripts/temporal-postgres.sh runs it)
#   <repo>/.capstan/tools/bin/temporal-sql-tool   (creates and upgrades the PostgreSQL schemas)
# Both are built with `go install` from the Go module proxy, so Go is the only prerequisite; the
# schemas are embedded in the tool. PostgreSQL comes from Debian's `postgresql` package, installed
# with apt-get when no /usr/lib/postgresql/*/bin/initdb is there; its system cluster is never started.
# Does nothing when both binaries are there and report the pinned version.
#
# Usage: scripts/install-temporal-server.sh [--force]
#   --force            build again even when the binaries are there
#   CAPSTAN_TOOLS_BIN  install into this folder instead (used to try the script elsewhere)
set -euo pipefail

readonly SERVER_MODULE="go.temporal.io/server"
readonly SERVER_VERSION="1.29.1"
# The packages go install builds, and the names they get in the tools folder.
readonly SERVER_PACKAGE="$SERVER_MODULE/cmd/server"
readonly SQL_TOOL_PACKAGE="$SERVER_MODULE/cmd/tools/sql"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
bin_dir="${CAPSTAN_TOOLS_BIN:-$root/.capstan/tools/bin}"
server="$bin_dir/temporal-server"
sql_tool="$bin_dir/temporal-sql-tool"
force=false
case "${1:-}" in
  "") ;;
  --force) force=true ;;
  -h | --help)
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "install-temporal-server: unknown argument '$1' (--force or --help)" >&2
    exit 2
    ;;
esac

# PostgreSQL first: it is quick, and the stack needs it as much as the server.
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-temporal-server: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); install Debian's postgresql package (apt-get install postgresql) and run this again" >&2
    exit 1
  fi
  echo "installing PostgreSQL for the Temporal stack (Debian package; its system cluster is not started)…"
  # Debian's maintainer scripts ask policy-rc.d before starting a service, and 101 means "don't":
  # a container usually has one already; elsewhere one is there for the install only.
  policy=/usr/sbin/policy-rc.d
  made_policy=false
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    made_policy=true
  fi
  status=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } ||
    status=$?
  if $made_policy; then
    rm -f "$policy"
  fi
  if [[ $status -ne 0 ]] || ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    echo "install-temporal-server: apt-get install postgresql failed (output above)" >&2
    exit 1
  fi
fi

installed() {
  [[ -x "$server" && -x "$sql_tool" ]] &&
    "$server" --version 2>/dev/null | grep -qE " version $SERVER_VERSION\$" &&
    "$sql_tool" --version 2>/dev/null | grep -qE " version $SERVER_VERSION\$"
}

if ! $force && installed; then
  echo "Temporal Server $SERVER_VERSION is installed: $server, $sql_tool"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
install-temporal-server: Go is not installed, so Temporal Server $SERVER_VERSION cannot be built.
  Install Go 1.25 or newer (the server's go.mod asks for it; https://go.dev/dl/) and run this again,
  or put temporal-server and temporal-sql-tool of Server $SERVER_VERSION into $bin_dir.
MSG
  exit 1
fi

# The server's go.mod asks for Go 1.25. An older go (1.21 or newer) can fetch a newer toolchain
# itself, from the module proxy like any module, when GOTOOLCHAIN names one; older than 1.21
# cannot, and is reported.
go_minor="$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
if [[ -n "$go_minor" && "$go_minor" -lt 25 ]]; then
  if [[ "$go_minor" -lt 21 ]]; then
    echo "install-temporal-server: $(go env GOVERSION) is too old to build Temporal Server $SERVER_VERSION; install Go 1.25 or newer and run this again" >&2
    exit 1
  fi
  export GOTOOLCHAIN="${CAPSTAN_GOTOOLCHAIN:-go1.27.3}"
  echo "install-temporal-server: $(GOTOOLCHAIN=local go env GOVERSION) is older than the server's Go 1.25; using toolchain $GOTOOLCHAIN from the module proxy"
fi

# Only the Go module proxy may be contacted: drop `direct` (fetching from the code hosts) from
# whatever proxy list this machine uses. The checksum database is reached through the proxy.
proxy="$(go env GOPROXY)"
proxy="${proxy//,direct/}"
proxy="${proxy//|direct/}"
if [[ -z "$proxy" || "$proxy" == "direct" || "$proxy" == "off" ]]; then
  echo "install-temporal-server: GOPROXY is '$(go env GOPROXY)'; set it to a Go module proxy and run this again" >&2
  exit 1
fi

mkdir -p "$bin_dir"
# go install names the binaries after their packages (server, sql); they are built into a
# folder of their own and renamed, so nothing else in the tools folder is overwritten.
build_dir="$(mktemp -d "$bin_dir/.temporal-server-build.XXXXXX")"
trap 'rm -rf "$build_dir"' EXIT
echo "installing Temporal Server $SERVER_VERSION and its SQL tool into $bin_dir (go install from the Go module proxy; a few minutes the first time)…"
started=$SECONDS
# -mod=mod: the module is resolved from the proxy alone, never from a go.mod or vendor folder here.
if ! GOBIN="$build_dir" GOPROXY="$proxy" GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" \
  go install "$SERVER_PACKAGE@v$SERVER_VERSION" "$SQL_TOOL_PACKAGE@v$SERVER_VERSION"; then
  echo "install-temporal-server: go install $SERVER_MODULE@v$SERVER_VERSION failed (output above)" >&2
  exit 1
fi
mv -f "$build_dir/server" "$server"
mv -f "$build_dir/sql" "$sql_tool"
elapsed=$((SECONDS - started))

if ! installed; then
  echo "install-temporal-server: $server or $sql_tool does not report version $SERVER_VERSION:" >&2
  "$server" --version >&2 || true
  "$sql_tool" --version >&2 || true
  exit 1
fi
printf 'installed %s and %s (Server %s) in %dm%02ds\n' "$server" "$sql_tool" "$SERVER_VERSION" \
  $((elapsed / 60)) $((elapsed % 60))
