#!/usr/bin/env bash
# Tests the kit on a machine with no GPU: builds fake CUDA libraries (fake/fakecuda.c: host memory,
# naive GEMMs) with gcc and runs bench/gpu/run.sh against them, then without them. It proves that
# the JRE, the jars, the JNI loading and run.sh's exits work; it measures nothing. Needs gcc and a
# .gpubench from bench/gpu/prepare.sh.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$root"
fake="$(mktemp -d)"
trap 'rm -rf "$fake"' EXIT
build() { # soname, defines
  local soname=$1
  shift
  echo "$soname { global: *; };" >"$fake/$soname.map"
  gcc -O2 -shared -fPIC "$@" -o "$fake/$soname" -Wl,-soname,"$soname" \
    -Wl,--version-script="$fake/$soname.map" bench/gpu/fake/fakecuda.c
}
build libcudart.so.13 -DFAKE_CUDART
build libcublas.so.13 -DFAKE_CUBLAS
build libcublasLt.so.13
build libcuda.so.1
# One window: a CPU's jittery rate must not trip the burn-in's window-to-window rule.
small=(BENCH_SIZE=99 BENCH_SECONDS=0.5 BENCH_WINDOW=0.5 BENCH_BYTES=1048576 BENCH_REPEATS=3)
failed=0
expect() { # code, description, command...
  local want=$1 what=$2
  shift 2
  local log="$fake/run.log"
  env "$@" OUT="$fake/out" bash bench/gpu/run.sh >"$log" 2>&1
  local got=$?
  if ((got == want)); then
    echo "selftest: ok: $what (exit $got): $(grep -E '^run: (no usable GPU|GpuBench exited)' "$log" | head -1)"
  else
    echo "selftest: FAILED: $what: exit $got, wanted $want"
    sed 's/^/    /' "$log"
    failed=1
  fi
}
expect 0 "one fake device: inventory, both burn-ins exact, bandwidth" \
  FAKE_CUDA_DEVICES=1 CAPSTAN_CUDA_LIBS="$fake" "${small[@]}"
grep -q '"event":"burnin","precision":"bf16".*"exact":true' "$fake/out/capstan.jsonl" &&
  grep -q '"event":"burnin","precision":"fp32".*"exact":true' "$fake/out/capstan.jsonl" &&
  grep -q '"event":"bandwidth"' "$fake/out/capstan.jsonl" ||
  { echo "selftest: FAILED: capstan.jsonl lacks exact burn-ins or bandwidth"; failed=1; }
expect 2 "CUDA libraries but no device" CAPSTAN_CUDA_LIBS="$fake" "${small[@]}"
expect 2 "no CUDA at all" CAPSTAN_CUDA_LIBS= "${small[@]}"
exit $failed
