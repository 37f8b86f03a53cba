#!/usr/bin/env bash
# Runs every Capstan test, installing what the tests need first.
# Usage: ./test.sh [extra Maven arguments]
set -euo pipefail
cd "$(dirname "$0")"

need() { command -v "$1" >/dev/null 2>&1; }

# Java 17+ and Maven run the suite; install them where a Debian machine lacks them, so a fresh
# machine can run this one command. Go 1.25+ must be there to build the Temporal CLI (Debian's
# golang-go is too old for it); the install script says so when it is missing.
if ! need java || ! need mvn; then
  echo "installing a JDK and Maven (Debian packages)…"
  apt-get update -qq && apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
fi

# The dev-server tests run the pinned Temporal CLI; this builds it once into .capstan/tools/bin
# from the Go module proxy (2m15s the first time on 2 cores, then skipped in a fraction of a
# second).
scripts/install-temporal-cli.sh

# The durability tests run again on Temporal Server with PostgreSQL (scripts/temporal-postgres.sh);
# this builds temporal-server and temporal-sql-tool once into .capstan/tools/bin from the Go module
# proxy (about 2 minutes the first time on 2 cores, then skipped) and installs Debian's postgresql
# package where it is missing.
scripts/install-temporal-server.sh

# The Kubernetes tests run a real control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler v1.37.2) with kwok v0.8.0 as the kubelet of simulated nodes; this builds them once
# into .capstan/tools/kubernetes/bin from the Go module proxy (8m58s cold on 2 cores, then skipped
# in a fraction of a second).
scripts/install-kubernetes.sh

# The API test SchemathesisIT runs schemathesis (PyPI, pinned) from .capstan/tools/venv; this
# creates that virtual environment once (seconds), then finds it installed.
scripts/install-schemathesis.sh

# Outputs stored in S3 are tested against moto_server (moto[server] from PyPI, pinned), installed
# once into .capstan/tools/moto (seconds), then found installed.
scripts/install-moto.sh

# The Web UI test opens a run's page in headless Chromium (Debian's package; no browser download).
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Chromium for the Web UI test (Debian package)…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# verify = compile, format check, unit tests (Surefire), package, then the end-to-end tests
# through ./capstan (Failsafe).
exec mvn -B -ntp verify "$@"
