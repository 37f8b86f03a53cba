package io.capstan.gpu.cuda;

import static io.capstan.gpu.cuda.CudaErrors.check;
import static io.capstan.gpu.cuda.CudaErrors.checkBlas;
import static org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation;

import io.capstan.gpu.GpuBackend.GemmWindow;
import io.capstan.gpu.GpuBackend.Precision;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;

/**
 * One CUDA device's cuBLAS handle and its GEMM workloads, kept from call to call so that a
 * burn-in's windows reuse the same matrices. Every call makes the device current on the calling
 * thread first: the activities call one device from one thread, but not always the same thread.
 */
final class CudaDevice implements AutoCloseable {
  private record Shape(Precision precision, int size) {}

  private final int index;
  private final Map<Shape, GemmWorkload> workloads = new LinkedHashMap<>();
  private cublasContext blas;

  CudaDevice(int index) {
    this.index = index;
  }

  /** Makes this device current on the calling thread. */
  void use() {
    check(index, cudart.cudaSetDevice(index), "cudaSetDevice");
  }

  /** Runs {@code precision} GEMMs of {@code size} for about {@code nanos}. */
  synchronized GemmWindow gemm(Precision precision, int size, long nanos) {
    use();
    return workload(new Shape(precision, size)).run(nanos);
  }

  private GemmWorkload workload(Shape shape) {
    GemmWorkload cached = workloads.get(shape);
    if (cached != null) {
      return cached;
    }
    if (blas == null) {
      cublasContext handle = new cublasContext();
      checkBlas(index, cublas.cublasCreate_v2(handle), "cublasCreate");
      // Split-K partial sums in FP32, never BF16: each BF16 result is then the exact product
      // rounded once, as GemmPattern's known sum assumes. Large sizes do not split K anyway.
      checkBlas(
          index,
          cublas.cublasSetMathMode(
              handle,
              cublas.CUBLAS_DEFAULT_MATH | cublas.CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION),
          "cublasSetMathMode");
      blas = handle;
    }
    GemmWorkload created;
    try {
      created = new GemmWorkload(index, blas, shape.precision(), shape.size());
    } catch (CudaErrors.CudaFailure e) {
      if (workloads.isEmpty() || e.code() != cudaErrorMemoryAllocation) {
        throw e;
      }
      // Out of memory with other shapes cached: free them and try once more.
      freeWorkloads();
      created = new GemmWorkload(index, blas, shape.precision(), shape.size());
    }
    workloads.put(shape, created);
    return created;
  }

  private void freeWorkloads() {
    workloads.values().forEach(GemmWorkload::close);
    workloads.clear();
  }

  /** Frees the workloads and the cuBLAS handle; errors are ignored, as the device may be gone. */
  @Override
  public synchronized void close() {
    if (cudart.cudaSetDevice(index) != cudart.cudaSuccess) {
      return;
    }
    freeWorkloads();
    if (blas != null) {
      cublas.cublasDestroy_v2(blas);
      blas = null;
    }
  }
}
