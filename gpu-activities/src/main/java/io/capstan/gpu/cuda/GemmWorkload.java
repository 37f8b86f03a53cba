package io.capstan.gpu.cuda;

import static io.capstan.gpu.cuda.CudaErrors.check;
import static io.capstan.gpu.cuda.CudaErrors.checkBlas;
import static org.bytedeco.cuda.global.cublas.CUBLAS_COMPUTE_32F;
import static org.bytedeco.cuda.global.cublas.CUBLAS_GEMM_DEFAULT;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cudart.CUDA_R_16BF;
import static org.bytedeco.cuda.global.cudart.CUDA_R_32F;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;

import io.capstan.gpu.GpuBackend.GemmWindow;
import io.capstan.gpu.GpuBackend.Precision;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;

/**
 * One square GEMM of a size and precision on one device, ready to run again and again: A and B
 * filled with {@link GemmPattern}, C, and a pinned host copy of C for the checksum, allocated once.
 * BF16 multiplies BF16 into BF16 with FP32 accumulation, as {@code torch.matmul} does; FP32 is
 * plain FP32 (no TF32), both through {@code cublasGemmEx} with {@code CUBLAS_COMPUTE_32F}. Used by
 * one thread at a time, with its device current.
 */
final class GemmWorkload implements AutoCloseable {
  /** How long one batch of queued GEMMs runs before the clock is looked at again. */
  private static final long BATCH_NANOS = 50_000_000L;

  /** Host elements converted per JNI call while filling and summing. */
  private static final int CHUNK = 1 << 20;

  private final int device;
  private final Precision precision;
  private final int size;
  private final long elements;
  private final cublasContext blas;
  private final Pointer a = new Pointer();
  private final Pointer b = new Pointer();
  private final Pointer c = new Pointer();
  private final Pointer hostC = new Pointer();
  private final CUevent_st start = new CUevent_st();
  private final CUevent_st stop = new CUevent_st();
  private final FloatPointer alpha = new FloatPointer(1f);
  private final FloatPointer beta = new FloatPointer(0f);

  /**
   * Allocates and fills the matrices on {@code device}, which must be current; frees on failure.
   */
  GemmWorkload(int device, cublasContext blas, Precision precision, int size) {
    this.device = device;
    this.blas = blas;
    this.precision = precision;
    this.size = size;
    this.elements = (long) size * size;
    long bytes = elements * elementBytes();
    try {
      check(device, cudart.cudaMalloc(a, bytes), "cudaMalloc(A, " + bytes + ")");
      check(device, cudart.cudaMalloc(b, bytes), "cudaMalloc(B, " + bytes + ")");
      check(device, cudart.cudaMalloc(c, bytes), "cudaMalloc(C, " + bytes + ")");
      check(device, cudart.cudaMallocHost(hostC, bytes), "cudaMallocHost(" + bytes + ")");
      check(device, cudart.cudaEventCreate(start), "cudaEventCreate");
      check(device, cudart.cudaEventCreate(stop), "cudaEventCreate");
      fill(a, true);
      fill(b, false);
      // One GEMM now, so that loading cuBLAS's kernels does not count against the first window.
      multiply();
      check(device, cudart.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Runs GEMMs back to back for about {@code nanos}, then sums the last result. */
  GemmWindow run(long nanos) {
    check(device, cudart.cudaEventRecord(start), "cudaEventRecord");
    long began = System.nanoTime();
    long count = 0;
    int batch = 1;
    while (true) {
      for (int i = 0; i < batch; i++) {
        multiply();
      }
      count += batch;
      // Waiting for the queue also surfaces a kernel's failure here rather than later.
      check(device, cudart.cudaDeviceSynchronize(), "cudaDeviceSynchronize after GEMMs");
      long elapsed = System.nanoTime() - began;
      if (elapsed >= nanos) {
        break;
      }
      double each = (double) elapsed / count;
      long next = Math.min(BATCH_NANOS, nanos - elapsed);
      batch = (int) Math.max(1, Math.min(100_000, Math.round(next / each)));
    }
    check(device, cudart.cudaEventRecord(stop), "cudaEventRecord");
    check(device, cudart.cudaEventSynchronize(stop), "cudaEventSynchronize");
    float[] millis = new float[1];
    check(device, cudart.cudaEventElapsedTime(millis, start, stop), "cudaEventElapsedTime");
    long took = Math.max(1, Math.round(millis[0] * 1e6));
    double flops = 2.0 * size * size * size * count;
    return sum(flops, took);
  }

  private void multiply() {
    int type = precision == Precision.BF16 ? CUDA_R_16BF : CUDA_R_32F;
    checkBlas(
        device,
        cublas.cublasGemmEx(
            blas,
            CUBLAS_OP_N,
            CUBLAS_OP_N,
            size,
            size,
            size,
            alpha,
            a,
            type,
            size,
            b,
            type,
            size,
            beta,
            c,
            type,
            size,
            CUBLAS_COMPUTE_32F,
            CUBLAS_GEMM_DEFAULT),
        "cublasGemmEx(" + precision + ", " + size + ")");
  }

  /** Copies C to the host and sums it in order, so that equal results give equal sums. */
  private GemmWindow sum(double flops, long nanos) {
    check(
        device,
        cudart.cudaMemcpy(hostC, c, elements * elementBytes(), cudaMemcpyDeviceToHost),
        "cudaMemcpy(C to host)");
    double sum = 0;
    boolean finite = true;
    if (precision == Precision.BF16) {
      ShortPointer host = new ShortPointer(hostC);
      short[] chunk = new short[(int) Math.min(CHUNK, elements)];
      for (long at = 0; at < elements; at += chunk.length) {
        int length = (int) Math.min(chunk.length, elements - at);
        host.position(at).get(chunk, 0, length);
        for (int i = 0; i < length; i++) {
          float value = GemmPattern.fromBf16(chunk[i]);
          finite &= Float.isFinite(value);
          sum += value;
        }
      }
    } else {
      FloatPointer host = new FloatPointer(hostC);
      float[] chunk = new float[(int) Math.min(CHUNK, elements)];
      for (long at = 0; at < elements; at += chunk.length) {
        int length = (int) Math.min(chunk.length, elements - at);
        host.position(at).get(chunk, 0, length);
        for (int i = 0; i < length; i++) {
          finite &= Float.isFinite(chunk[i]);
          sum += chunk[i];
        }
      }
    }
    return new GemmWindow(flops, nanos, sum, finite);
  }

  /** Writes the pattern of A ({@code first}) or B into {@code target} through pageable memory. */
  private void fill(Pointer target, boolean first) {
    int length = (int) Math.min(CHUNK, elements);
    if (precision == Precision.BF16) {
      short[] chunk = new short[length];
      try (ShortPointer staging = new ShortPointer(length)) {
        for (long at = 0; at < elements; at += length) {
          int count = (int) Math.min(length, elements - at);
          for (int i = 0; i < count; i++) {
            chunk[i] = GemmPattern.bf16(first ? GemmPattern.a(at + i) : GemmPattern.b(at + i));
          }
          staging.position(0).put(chunk, 0, count);
          copyIn(target, at * 2, staging, count * 2L);
        }
      }
    } else {
      float[] chunk = new float[length];
      try (FloatPointer staging = new FloatPointer(length)) {
        for (long at = 0; at < elements; at += length) {
          int count = (int) Math.min(length, elements - at);
          for (int i = 0; i < count; i++) {
            chunk[i] = first ? GemmPattern.a(at + i) : GemmPattern.b(at + i);
          }
          staging.position(0).put(chunk, 0, count);
          copyIn(target, at * 4, staging, count * 4L);
        }
      }
    }
  }

  private void copyIn(Pointer target, long offset, Pointer staging, long bytes) {
    Pointer at = new Pointer(target).position(offset);
    check(
        device,
        cudart.cudaMemcpy(at, staging.position(0), bytes, cudaMemcpyHostToDevice),
        "cudaMemcpy(inputs to device)");
  }

  private long elementBytes() {
    return precision == Precision.BF16 ? 2 : 4;
  }

  /** Frees what was allocated; safe to call twice and after a failed construction. */
  @Override
  public void close() {
    free(a);
    free(b);
    free(c);
    if (!hostC.isNull()) {
      cudart.cudaFreeHost(hostC);
      hostC.setNull();
    }
    for (CUevent_st event : new CUevent_st[] {start, stop}) {
      if (!event.isNull()) {
        cudart.cudaEventDestroy(event);
        event.setNull();
      }
    }
    for (FloatPointer scalar : new FloatPointer[] {alpha, beta}) {
      if (!scalar.isNull()) {
        scalar.close();
      }
    }
  }

  private static void free(Pointer memory) {
    if (!memory.isNull()) {
      cudart.cudaFree(memory);
      memory.setNull();
    }
  }
}
