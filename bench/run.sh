#!/usr/bin/env bash
# Builds Capstan if needed and runs the pipeline benchmark (flags: see PipelineBench's Javadoc).
# Example: ./bench/run.sh --chain 200 --wide 2000 --parallelism 200 --repeat 3
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
mvn -q -B -ntp install -DskipTests -Dspotless.check.skip=true -pl bench -am
cp="bench/target/capstan-bench-0.1.0-SNAPSHOT.jar:$(mvn -q -B -ntp -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
exec java -Xmx2g -cp "$cp" io.capstan.bench.PipelineBench "$@"
