#!/usr/bin/env bash
# Builds .gpubench/ (ignored, never committed): a small JRE made with jlink and the jars that
# io.capstan.gpu.cuda.GpuBench needs (gpu-activities, workflows, JavaCPP, the CUDA presets and
# their linux-x86_64 JNI wrappers), for bench/gpu/run.sh on a GPU machine that has no Java and no
# network. Run it here, then on the device: carry [".gpubench"], command `bash bench/gpu/run.sh`.
# Fails when the folder would exceed 60 MiB (the device tool carries at most 64 MiB).
# Set MVN_OFFLINE= (empty) to let Maven download what is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$root"
out=.gpubench
limit_mib=60
mvn_flags=(-q -B ${MVN_OFFLINE--o})
modules=java.base,java.logging,java.management,jdk.unsupported

echo "prepare: compiling gpu-activities"
mvn "${mvn_flags[@]}" -pl gpu-activities compile

classpath="$(mktemp)"
trap 'rm -f "$classpath"' EXIT
mvn "${mvn_flags[@]}" -pl gpu-activities dependency:build-classpath \
  -Dmdep.outputFile="$classpath" -Dmdep.includeScope=runtime

rm -rf "$out"
mkdir -p "$out/lib"
# Only what GpuBench loads: no Temporal, no gRPC, no Jackson.
wanted='/(capstan-workflows|javacpp|cuda)-[^/]*\.jar$'
tr ':' '\n' <"$classpath" | grep -E "$wanted" | while read -r jar; do
  cp "$jar" "$out/lib/"
done
for needed in capstan-workflows javacpp cuda; do
  ls "$out/lib/$needed"-*.jar >/dev/null 2>&1 || { echo "prepare: no $needed jar on the classpath" >&2; exit 1; }
done
ls "$out"/lib/*linux-x86_64.jar >/dev/null
jar --create --file "$out/lib/capstan-gpu-activities.jar" -C gpu-activities/target/classes io/capstan/gpu

echo "prepare: linking a JRE ($modules)"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$out/jre"

# The JRE and the classpath must start and reach CUDA detection; here, with no GPU, that ends in
# "found": false and exit 2.
set +e
smoke="$("$out/jre/bin/java" -cp "$out/lib/*" io.capstan.gpu.cuda.GpuBench --seconds 0 2>&1)"
code=$?
set -e
echo "prepare: smoke run (exit $code): $smoke"
if ! grep -q '"event":"detect"' <<<"$smoke"; then
  echo "prepare: the bench did not start" >&2
  exit 1
fi

exclude="$(git rev-parse --git-path info/exclude)"
mkdir -p "$(dirname "$exclude")"
grep -qxF '/.gpubench/' "$exclude" 2>/dev/null || echo '/.gpubench/' >>"$exclude"

size_kib="$(du -sk "$out" | cut -f1)"
echo "prepare: $out is $((size_kib / 1024)) MiB (jre $(du -sm "$out/jre" | cut -f1) MiB, lib $(du -sm "$out/lib" | cut -f1) MiB)"
du -sh "$out"/lib/* | sed 's/^/prepare:   /'
if ((size_kib > limit_mib * 1024)); then
  echo "prepare: over the $limit_mib MiB limit" >&2
  exit 1
fi
