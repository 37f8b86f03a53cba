#!/usr/bin/env bash
# Builds the local Kubernetes that ./capstan up and the tests run, pinned, into the tools folder:
#   <repo>/.capstan/tools/kubernetes/bin/{etcd,kube-apiserver,kube-controller-manager,
#                                         kube-scheduler,kubectl,kwok}      (gitignored)
# Kubernetes v1.37.2 and etcd v3.7.0 are built from the wrapper module in scripts/kubernetes (see
# its go.mod for why a wrapper), kwok v0.8.0 with go install; everything comes from the Go module
# proxy, so Go 1.26 is the only prerequisite. A cold build takes 10-16 minutes on 2 cores (the
# API server alone is most of it); with a warm Go build cache, seconds. Does nothing when the
# binaries of these versions are there.
#
# Usage: scripts/install-kubernetes.sh [--force | --check]
#   --force            build again even when the binaries are there
#   --check            exit 0 when installed, 1 when not; builds nothing
#   CAPSTAN_TOOLS_DIR  use this tools folder instead of <repo>/.capstan/tools
# Progress lines start with "kubernetes: " so ./capstan up can show the latest one.
set -euo pipefail

readonly KUBERNETES_VERSION="v1.37.2"
readonly ETCD_VERSION="v3.7.0"
readonly KWOK_MODULE="sigs.k8s.io/kwok/cmd/kwok"
readonly KWOK_VERSION="v0.8.0"
readonly BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
module="$root/scripts/kubernetes"
tools="${CAPSTAN_TOOLS_DIR:-$root/.capstan/tools}"
dir="$tools/kubernetes"
bin_dir="$dir/bin"
stamp="$dir/installed"
mode="${1:-}"
case "$mode" in
  "" | --force | --check) ;;
  -h | --help)
    sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "install-kubernetes: unknown argument '$mode' (--force, --check or --help)" >&2
    exit 2
    ;;
esac

say() { echo "kubernetes: $*"; }

# What the binaries were built from: the versions and the wrapper module's files. A change to any
# of them rebuilds (warm, in seconds).
fingerprint() {
  {
    echo "kubernetes=$KUBERNETES_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION"
    (cd "$module" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) |
      LC_ALL=C sort | xargs sha256sum)
  } | sha256sum | cut -d' ' -f1
}

installed() {
  [[ -f "$stamp" && "$(cat "$stamp")" == "$(fingerprint)" ]] || return 1
  local b
  for b in "${BINARIES[@]}"; do [[ -x "$bin_dir/$b" ]] || return 1; done
}

if [[ "$mode" == --check ]]; then
  installed
  exit $?
fi
if [[ "$mode" != --force ]] && installed; then
  say "installed: Kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION in $bin_dir"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install-kubernetes: Go is not installed, so Kubernetes $KUBERNETES_VERSION cannot be built; install Go 1.26 or newer (https://go.dev/dl/) and run this again" >&2
  exit 1
fi
go_minor="$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
if [[ -n "$go_minor" && "$go_minor" -lt 26 ]]; then
  if [[ "$go_minor" -lt 21 ]]; then
    echo "install-kubernetes: $(go env GOVERSION) is too old to build Kubernetes $KUBERNETES_VERSION; install Go 1.26 or newer" >&2
    exit 1
  fi
  export GOTOOLCHAIN="${CAPSTAN_GOTOOLCHAIN:-go1.26.8}"
  say "$(GOTOOLCHAIN=local go env GOVERSION) is older than Kubernetes' Go 1.26; using toolchain $GOTOOLCHAIN from the module proxy"
fi
# Only the Go module proxy may be contacted: drop `direct` from the proxy list.
proxy="$(go env GOPROXY)"
proxy="${proxy//,direct/}"
proxy="${proxy//|direct/}"
if [[ -z "$proxy" || "$proxy" == "direct" || "$proxy" == "off" ]]; then
  echo "install-kubernetes: GOPROXY is '$(go env GOPROXY)'; set it to a Go module proxy and run this again" >&2
  exit 1
fi
export GOPROXY="$proxy" CGO_ENABLED=0

mkdir -p "$bin_dir"
# One build at a time: ./capstan up builds in the background while the tests may start one too.
exec 9>"$dir/.lock"
if ! flock -n 9; then
  say "another build is running; waiting for it"
  flock 9
  if installed; then
    say "installed by the other build: $bin_dir"
    exit 0
  fi
fi

started=$SECONDS
elapsed() { local s=$((SECONDS - started)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# Without these the binaries report v0.0.0-master, which kubectl warns about.
minor="${KUBERNETES_VERSION#v1.}"
minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean"
done

say "building Kubernetes $KUBERNETES_VERSION and etcd $ETCD_VERSION into $bin_dir from the Go module proxy (a cold build takes 10-16 minutes on 2 cores; warm, seconds)"
rm -f "$stamp"
say "downloading modules"
(cd "$module" && go mod download) || {
  echo "install-kubernetes: go mod download failed in $module (output above)" >&2
  exit 1
}
# Smallest first, so the first binaries arrive early; the API server shares most of its packages
# with the controller manager and the scheduler, so whichever of them comes first pays for all.
step=0
for b in etcd kubectl kube-apiserver kube-controller-manager kube-scheduler; do
  step=$((step + 1))
  say "[$step/6] building $b ($(elapsed) so far)"
  if ! (cd "$module" && go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$bin_dir/$b.new" "./cmd/$b"); then
    echo "install-kubernetes: building $b failed (output above)" >&2
    exit 1
  fi
  mv -f "$bin_dir/$b.new" "$bin_dir/$b"
done
say "[6/6] building kwok $KWOK_VERSION ($(elapsed) so far)"
if ! GOBIN="$bin_dir" GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" go install -trimpath -ldflags "-s -w" "$KWOK_MODULE@$KWOK_VERSION"; then
  echo "install-kubernetes: go install $KWOK_MODULE@$KWOK_VERSION failed (output above)" >&2
  exit 1
fi
fingerprint >"$stamp"
say "installed Kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION and kwok $KWOK_VERSION in $(elapsed): $bin_dir"
