#!/usr/bin/env python3
"""Measures with PyTorch what io.capstan.gpu.cuda.GpuBench measured, the same way, and prints
Capstan/PyTorch ratios against the goal.

Same conventions as GpuBench: square GEMMs of --size on the same fixed inputs (GemmPattern: A and B
repeat with periods 17 and 13, entries k/64), BF16 in and out with FP32 accumulation, FP32 without
TF32; windows of --window seconds for --seconds, each timed with CUDA events around batches of
~50 ms, the steady rate being every window after the first; device-to-device copies counted as
bytes read plus written, host-to-device from pinned memory counted once; GB/s of 1e9 bytes.
Prints one JSON object a line; exits 1 when a ratio misses --goal, 0 otherwise.
Usage: torch_compare.py --capstan capstan.jsonl [--size 8192 --seconds 20 --window 2
       --bytes 1073741824 --repeats 20 --goal 0.9]
"""
import argparse
import json
import sys
import time

import torch


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def pattern(n, dtype, device):
    """GemmPattern's A and B for torch's row-major matmul.

    cuBLAS reads GemmPattern's buffers column-major; read row-major they are A^T and B^T, and
    B^T @ A^T = (A B)^T is C's buffer: the same products, the same sum.
    """
    index = torch.arange(n * n, device=device, dtype=torch.int64)
    a = (((7 * index + 3) % 17) - 8).to(torch.float32) / 64
    b = (((5 * index + 1) % 13) - 6).to(torch.float32) / 64
    return b.view(n, n).to(dtype).contiguous(), a.view(n, n).to(dtype).contiguous()


def sustained(dtype, n, seconds, window, device):
    left, right = pattern(n, dtype, device)
    out = torch.empty(n, n, dtype=dtype, device=device)
    torch.matmul(left, right, out=out)  # warm-up: cuBLAS picks and loads its kernel
    torch.cuda.synchronize()
    flops_each = 2.0 * n * n * n
    windows = []
    for _ in range(max(1, round(seconds / window))):
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        start.record()
        began = time.perf_counter()
        count, batch = 0, 1
        while True:
            for _ in range(batch):
                torch.matmul(left, right, out=out)
            count += batch
            torch.cuda.synchronize()
            elapsed = time.perf_counter() - began
            if elapsed >= window:
                break
            each = elapsed / count
            batch = max(1, min(100_000, round(min(0.05, window - elapsed) / each)))
        stop.record()
        stop.synchronize()
        windows.append((flops_each * count, start.elapsed_time(stop) / 1e3))
    checksum = out.double().sum().item()
    return windows, checksum


def burst_randn(n, device, warmups=3, timed=10):
    """The usual quick figure (random inputs, a few products), for reference only."""
    left = torch.randn(n, n, dtype=torch.bfloat16, device=device)
    right = torch.randn(n, n, dtype=torch.bfloat16, device=device)
    for _ in range(warmups):
        torch.matmul(left, right)
    torch.cuda.synchronize()
    start = torch.cuda.Event(enable_timing=True)
    stop = torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(timed):
        torch.matmul(left, right)
    stop.record()
    stop.synchronize()
    return 2.0 * n ** 3 * timed / (start.elapsed_time(stop) / 1e3) / 1e12


def copies(nbytes, repeats, device):
    source = torch.empty(nbytes, dtype=torch.uint8, device=device).fill_(1)
    target = torch.empty_like(source)
    host = torch.empty(nbytes, dtype=torch.uint8, pin_memory=True)

    def timed(copy):
        copy()  # warm-up
        torch.cuda.synchronize()
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(repeats):
            copy()
        stop.record()
        stop.synchronize()
        return max(start.elapsed_time(stop), 1e-3) / 1e3

    d2d = 2.0 * nbytes * repeats / timed(lambda: target.copy_(source)) / 1e9
    h2d = nbytes * repeats / timed(lambda: target.copy_(host, non_blocking=True)) / 1e9
    return d2d, h2d


def rate(windows):
    steady = windows[1:] or windows
    return sum(f for f, _ in steady) / sum(s for _, s in steady) / 1e12


def capstan_results(path):
    burnins, bandwidth = {}, None
    with open(path) as lines:
        for line in lines:
            line = line.strip()
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            if record.get("event") == "burnin":
                burnins[record["precision"]] = record
            elif record.get("event") == "bandwidth":
                bandwidth = record
    return burnins, bandwidth


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--capstan", required=True)
    parser.add_argument("--size", type=int, default=8192)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--window", type=float, default=2)
    parser.add_argument("--bytes", type=int, default=1 << 30)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--goal", type=float, default=0.9)
    parser.add_argument("--device", type=int, default=0)
    args = parser.parse_args()

    device = torch.device("cuda", args.device)
    torch.cuda.set_device(device)
    # Plain FP32 like Capstan's FP32 burn-in (PyTorch's default too, said explicitly).
    torch.backends.cuda.matmul.allow_tf32 = False
    emit("torch", version=torch.__version__, cuda=torch.version.cuda,
         device=torch.cuda.get_device_name(device))

    burnins, bandwidth = capstan_results(args.capstan)
    ours = {}
    for name, dtype in (("bf16", torch.bfloat16), ("fp32", torch.float32)):
        windows, checksum = sustained(dtype, args.size, args.seconds, args.window, device)
        for number, (flops, secs) in enumerate(windows, 1):
            emit("window", precision=name, size=args.size, window=number,
                 tflops=flops / secs / 1e12, seconds=secs)
        expected = burnins.get(name, {}).get("expectedChecksum")
        ours[name] = rate(windows)
        emit("burnin", precision=name, size=args.size, windows=len(windows),
             steadyTflops=ours[name], checksum=checksum, expectedChecksum=expected,
             sameResult=None if expected is None else checksum == expected)
    emit("burst", precision="bf16", inputs="randn", size=args.size,
         tflops=burst_randn(args.size, device))
    d2d, h2d = copies(args.bytes, args.repeats, device)
    emit("bandwidth", bytes=args.bytes, repeats=args.repeats, deviceToDeviceGBps=d2d,
         hostToDeviceGBps=h2d)

    pairs = [
        ("bf16 TFLOPS", burnins.get("bf16", {}).get("steadyTflops"), ours["bf16"]),
        ("fp32 TFLOPS", burnins.get("fp32", {}).get("steadyTflops"), ours["fp32"]),
        ("d2d GB/s", (bandwidth or {}).get("deviceToDeviceGBps"), d2d),
        ("h2d GB/s", (bandwidth or {}).get("hostToDeviceGBps"), h2d),
    ]
    missed = False
    print(f"{'metric':<12} {'Capstan':>10} {'PyTorch':>10} {'ratio':>7}  goal >= {args.goal}")
    for metric, capstan, torch_value in pairs:
        ratio = None if capstan is None or not torch_value else capstan / torch_value
        met = ratio is not None and ratio >= args.goal
        missed |= not met
        shown = "n/a" if capstan is None else f"{capstan:10.1f}"
        print(f"{metric:<12} {shown:>10} {torch_value:10.1f} "
              f"{'n/a' if ratio is None else f'{ratio:7.3f}'}  {'met' if met else 'MISSED'}")
        emit("ratio", metric=metric, capstan=capstan, torch=torch_value, ratio=ratio,
             goal=args.goal, met=met)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
