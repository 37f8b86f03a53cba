#!/usr/bin/env bash
# Runs ON a GPU machine, from the repository root, after bench/gpu/prepare.sh built .gpubench/
# here: the device tool's `run` with carry [".gpubench"] and command `bash bench/gpu/run.sh`.
# Finds the CUDA 13 libraries, shows nvidia-smi, runs io.capstan.gpu.cuda.GpuBench (inventory,
# BF16 and FP32 burn-in, copy bandwidth), then bench/gpu/torch_compare.py, which measures the same
# with PyTorch and prints Capstan/PyTorch ratios against the goal (0.9).
# Exit: 0 all passed and met the goal; 1 a burn-in failed or a ratio missed the goal; 2 no usable
# GPU or no kit (the reason is printed). Results land in $OUT (the device tool brings it back).
# Knobs: BENCH_SIZE (8192) BENCH_SECONDS per precision (20) BENCH_WINDOW (2) BENCH_BYTES (1 GiB)
# BENCH_REPEATS (20) BENCH_GOAL (0.9); CAPSTAN_CUDA_LIBS, folders searched first.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$root"
kit=.gpubench
out="${OUT:-${TMPDIR:-/tmp}/gpubench-out}"
mkdir -p "$out"
size="${BENCH_SIZE:-8192}"
seconds="${BENCH_SECONDS:-20}"
window="${BENCH_WINDOW:-2}"
bytes="${BENCH_BYTES:-1073741824}"
repeats="${BENCH_REPEATS:-20}"
goal="${BENCH_GOAL:-0.9}"

if [[ ! -x "$kit/jre/bin/java" ]]; then
  echo "run: no $kit/jre here: run 'bash bench/gpu/prepare.sh' on the build machine and carry .gpubench"
  exit 2
fi

# The JNI wrappers need libcudart.so.13, libcublas.so.13 and libcublasLt.so.13 (CUDA 13, from the
# toolkit or PyTorch's nvidia-* wheels: the wheels first, so both sides use the same cuBLAS),
# libcuda.so.1 and libnvidia-ml.so.1 (the driver). Driver stubs and forward-compat copies are
# skipped: they would hide the real driver.
wanted=(libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcuda.so.1 libnvidia-ml.so.1)
candidates=()
IFS=: read -r -a extra <<<"${CAPSTAN_CUDA_LIBS:-}"
candidates+=("${extra[@]}")
if command -v python3 >/dev/null; then
  while read -r site; do
    candidates+=("$site"/nvidia/cu13/lib "$site"/nvidia/*/lib)
  done < <(python3 -c 'import site; print("\n".join(site.getsitepackages()))' 2>/dev/null)
fi
candidates+=(/usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/local/cuda/lib64
  /usr/local/cuda-13*/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu
  /usr/lib64)
path=()
for dir in "${candidates[@]}"; do
  [[ -d "$dir" ]] || continue
  case "$dir" in */stubs | */stubs/* | */compat) continue ;; esac
  for lib in "${wanted[@]}"; do
    if [[ -e "$dir/$lib" ]]; then
      [[ " ${path[*]:-} " == *" $dir "* ]] || path+=("$dir")
      break
    fi
  done
done
joined="$(IFS=:; echo "${path[*]:-}")"
export LD_LIBRARY_PATH="${joined}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "run: LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
for lib in "${wanted[@]}"; do
  where=""
  for dir in "${path[@]:-}"; do
    [[ -n "$dir" && -e "$dir/$lib" ]] && { where="$(readlink -f "$dir/$lib")"; break; }
  done
  [[ -z "$where" ]] && where="$(ldconfig -p 2>/dev/null | awk -v l="$lib" '$1 == l {print $NF; exit}')"
  echo "run:   $lib -> ${where:-MISSING}"
done

if command -v nvidia-smi >/dev/null; then
  timeout 60 nvidia-smi
  timeout 60 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit,temperature.gpu --format=csv
else
  echo "run: nvidia-smi is not on the PATH"
fi

echo "run: GpuBench (size $size, $seconds s per precision in $window s windows, copies of $bytes bytes x $repeats)"
"$kit/jre/bin/java" \
  -Dorg.bytedeco.javacpp.cachedir="${TMPDIR:-/tmp}/gpubench-javacpp" \
  -Dorg.bytedeco.javacpp.maxBytes=0 -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 \
  -cp "$kit/lib/*" io.capstan.gpu.cuda.GpuBench \
  --size "$size" --seconds "$seconds" --window "$window" --bytes "$bytes" --repeats "$repeats" \
  | tee "$out/capstan.jsonl"
java_exit=${PIPESTATUS[0]}
if ((java_exit == 2)); then
  reason="$(sed -n 's/.*"event":"detect".*"reason":"\(.*\)"}$/\1/p' "$out/capstan.jsonl")"
  echo "run: no usable GPU: ${reason:-GpuBench did not say why (see above)}"
  exit 2
fi
echo "run: GpuBench exited $java_exit"

if ! python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  echo "run: PyTorch with CUDA is not available here: no comparison"
  exit "$java_exit"
fi
python3 bench/gpu/torch_compare.py --capstan "$out/capstan.jsonl" --size "$size" \
  --seconds "$seconds" --window "$window" --bytes "$bytes" --repeats "$repeats" --goal "$goal" \
  | tee "$out/torch.jsonl"
torch_exit=${PIPESTATUS[0]}
echo "run: torch_compare exited $torch_exit"
exit $((java_exit > torch_exit ? java_exit : torch_exit))
