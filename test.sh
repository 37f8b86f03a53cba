#!/usr/bin/env bash
# Runs every Capstan test, installing what the tests need first.
# Usage: ./test.sh [extra Maven arguments]
set -euo pipefail
cd "$(dirname "$0")"

need() { command -v "$1" >/dev/null 2>&1; }

# Java 17+ and Maven are the only things the suite needs today; install them where a Debian
# machine lacks them, so a fresh machine can run this one command.
if ! need java || ! need mvn; then
  echo "installing a JDK and Maven (Debian packages)…"
  apt-get update -qq && apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
fi

# verify = compile, format check, unit tests (Surefire), package, then the end-to-end tests
# through ./capstan (Failsafe).
exec mvn -B -ntp verify "$@"
