#!/usr/bin/env bash
# Builds Capstan and runs the pipeline benchmark (flags: see PipelineBench's Javadoc).
# Example: ./bench/run.sh --chain 200 --wide 2000 --parallelism 200 --repeat 3
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
mvn -q -B -ntp package -DskipTests -Dspotless.check.skip=true -pl bench -am
cp="bench/target/capstan-bench-0.1.0-SNAPSHOT.jar:app/target/capstan-app-0.1.0-SNAPSHOT.jar:app/target/lib/*"
exec java ${BENCH_JAVA_OPTS:--Xmx2g} -cp "$cp" io.capstan.bench.PipelineBench "$@"
