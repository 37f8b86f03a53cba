/*
 * A CPU stand-in for the few CUDA runtime and cuBLAS entry points CudaGpus calls, so that
 * bench/gpu/selftest.sh can run the whole kit (JRE, jars, JNI loading, run.sh) on a machine with no
 * GPU. "Device" memory is host memory, GEMMs are naive loops (keep sizes small), events read the
 * monotonic clock. It proves the plumbing, never a number. Built twice: once as libcudart.so.13,
 * once as libcublas.so.13 (each with its SONAME and symbol version), plus empty libcuda.so.1 and
 * libcublasLt.so.13, all of which JavaCPP's wrappers name as needed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef FAKE_CUDART
int cudaGetDeviceCount(int *count) {
  const char *devices = getenv("FAKE_CUDA_DEVICES");
  if (devices == NULL || atoi(devices) == 0) {
    *count = 0;
    return 100; /* cudaErrorNoDevice */
  }
  *count = atoi(devices);
  return 0;
}
const char *cudaGetErrorName(int error) {
  return error == 0 ? "cudaSuccess" : error == 100 ? "cudaErrorNoDevice" : "cudaErrorUnknown";
}
const char *cudaGetErrorString(int error) {
  return error == 100 ? "no CUDA-capable device is detected (fake)" : "fake CUDA error";
}
int cudaDriverGetVersion(int *version) { *version = 13000; return 0; }
int cudaRuntimeGetVersion(int *version) { *version = 13000; return 0; }
int cudaGetLastError(void) { return 0; }
int cudaSetDevice(int device) { (void)device; return 0; }
int cudaDeviceSynchronize(void) { return 0; }
/* cudaDeviceProp starts with char name[256] and cudaUUID_t uuid; the rest stays zero. */
int cudaGetDeviceProperties(void *properties, int device) {
  strcpy((char *)properties, "Fake CUDA device");
  unsigned char *uuid = (unsigned char *)properties + 256;
  for (int i = 0; i < 16; i++) uuid[i] = (unsigned char)(i * 17 + device);
  return 0;
}
int cudaMalloc(void **pointer, size_t bytes) { *pointer = calloc(1, bytes); return *pointer ? 0 : 2; }
int cudaMallocHost(void **pointer, size_t bytes) { return cudaMalloc(pointer, bytes); }
int cudaFree(void *pointer) { free(pointer); return 0; }
int cudaFreeHost(void *pointer) { free(pointer); return 0; }
int cudaMemcpy(void *to, const void *from, size_t bytes, int kind) {
  (void)kind;
  memcpy(to, from, bytes);
  return 0;
}
int cudaMemset(void *to, int value, size_t bytes) { memset(to, value, bytes); return 0; }
int cudaEventCreate(void **event) { *event = calloc(1, sizeof(double)); return 0; }
int cudaEventDestroy(void *event) { free(event); return 0; }
int cudaEventRecord(void *event, void *stream) {
  (void)stream;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  *(double *)event = now.tv_sec * 1e3 + now.tv_nsec / 1e6;
  return 0;
}
int cudaEventSynchronize(void *event) { (void)event; return 0; }
int cudaEventElapsedTime(float *millis, void *start, void *stop) {
  *millis = (float)(*(double *)stop - *(double *)start);
  return 0;
}
#endif

#ifdef FAKE_CUBLAS
static float load(const void *matrix, int type, size_t index) {
  if (type == 14) { /* CUDA_R_16BF */
    uint32_t bits = (uint32_t)((const uint16_t *)matrix)[index] << 16;
    float value;
    memcpy(&value, &bits, 4);
    return value;
  }
  return ((const float *)matrix)[index];
}
static void store(void *matrix, int type, size_t index, float value) {
  if (type == 14) {
    uint32_t bits;
    memcpy(&bits, &value, 4);
    bits += 0x7fff + ((bits >> 16) & 1); /* round to nearest, ties to even */
    ((uint16_t *)matrix)[index] = (uint16_t)(bits >> 16);
  } else {
    ((float *)matrix)[index] = value;
  }
}
int cublasCreate_v2(void **handle) { *handle = malloc(1); return 0; }
int cublasDestroy_v2(void *handle) { free(handle); return 0; }
int cublasSetMathMode(void *handle, int mode) { (void)handle; (void)mode; return 0; }
const char *cublasGetStatusName(int status) { return status ? "CUBLAS_STATUS_NOT_SUPPORTED" : "CUBLAS_STATUS_SUCCESS"; }
const char *cublasGetStatusString(int status) { return status ? "fake cuBLAS failure" : "success"; }
/* Column-major C = alpha·A·B + beta·C, no transposes: all the burn-in asks. */
int cublasGemmEx(void *handle, int transa, int transb, int m, int n, int k, const float *alpha,
                 const void *a, int atype, int lda, const void *b, int btype, int ldb,
                 const float *beta, void *c, int ctype, int ldc, int compute, int algo) {
  (void)handle; (void)compute; (void)algo;
  if (transa != 0 || transb != 0) return 15; /* CUBLAS_STATUS_NOT_SUPPORTED */
  for (int col = 0; col < n; col++) {
    for (int row = 0; row < m; row++) {
      float dot = 0;
      for (int i = 0; i < k; i++) {
        dot += load(a, atype, row + (size_t)i * lda) * load(b, btype, i + (size_t)col * ldb);
      }
      float old = *beta == 0 ? 0 : load(c, ctype, row + (size_t)col * ldc);
      store(c, ctype, row + (size_t)col * ldc, *alpha * dot + *beta * old);
    }
  }
  return 0;
}
#endif
