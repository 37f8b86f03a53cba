package io.capstan.gpu.cuda;

import static io.capstan.gpu.cuda.CudaErrors.check;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;

import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;

/**
 * Copy bandwidth on the current device, timed with CUDA events, in GB/s of 10<sup>9</sup> bytes.
 * Device to device counts every byte twice, read and written, as NVIDIA's bandwidthTest and {@code
 * nvbandwidth} do (an H100's ~3 TB/s is this count); host to device counts the bytes moved, from
 * pinned memory.
 */
final class CopyBandwidth {
  private CopyBandwidth() {}

  /** {@code repeats} device-to-device copies of {@code bytes}, after one untimed warm-up copy. */
  static double deviceToDevice(int device, long bytes, int repeats) {
    Pointer source = new Pointer();
    Pointer target = new Pointer();
    try {
      check(device, cudart.cudaMalloc(source, bytes), "cudaMalloc(" + bytes + ")");
      check(device, cudart.cudaMalloc(target, bytes), "cudaMalloc(" + bytes + ")");
      check(device, cudart.cudaMemset(source, 1, bytes), "cudaMemset");
      double seconds = time(device, repeats, () -> copy(device, target, source, bytes));
      return 2.0 * bytes * repeats / seconds / 1e9;
    } finally {
      free(source);
      free(target);
    }
  }

  /** {@code repeats} copies of {@code bytes} from pinned host memory to the device. */
  static double hostToDevice(int device, long bytes, int repeats) {
    Pointer host = new Pointer();
    Pointer target = new Pointer();
    try {
      check(device, cudart.cudaMallocHost(host, bytes), "cudaMallocHost(" + bytes + ")");
      check(device, cudart.cudaMalloc(target, bytes), "cudaMalloc(" + bytes + ")");
      double seconds =
          time(
              device,
              repeats,
              () ->
                  check(
                      device,
                      cudart.cudaMemcpy(target, host, bytes, cudaMemcpyHostToDevice),
                      "cudaMemcpy(host to device)"));
      return (double) bytes * repeats / seconds / 1e9;
    } finally {
      if (!host.isNull()) {
        cudart.cudaFreeHost(host);
      }
      free(target);
    }
  }

  private static void copy(int device, Pointer target, Pointer source, long bytes) {
    check(
        device,
        cudart.cudaMemcpy(target, source, bytes, cudaMemcpyDeviceToDevice),
        "cudaMemcpy(device to device)");
  }

  /** Seconds that {@code repeats} runs of {@code copy} took on the device, after one warm-up. */
  private static double time(int device, int repeats, Runnable copy) {
    CUevent_st start = new CUevent_st();
    CUevent_st stop = new CUevent_st();
    try {
      check(device, cudart.cudaEventCreate(start), "cudaEventCreate");
      check(device, cudart.cudaEventCreate(stop), "cudaEventCreate");
      copy.run();
      check(device, cudart.cudaEventRecord(start), "cudaEventRecord");
      for (int i = 0; i < repeats; i++) {
        copy.run();
      }
      check(device, cudart.cudaEventRecord(stop), "cudaEventRecord");
      check(device, cudart.cudaEventSynchronize(stop), "cudaEventSynchronize");
      float[] millis = new float[1];
      check(device, cudart.cudaEventElapsedTime(millis, start, stop), "cudaEventElapsedTime");
      return Math.max(millis[0], 1e-3f) / 1e3;
    } finally {
      for (CUevent_st event : new CUevent_st[] {start, stop}) {
        if (!event.isNull()) {
          cudart.cudaEventDestroy(event);
        }
      }
    }
  }

  private static void free(Pointer memory) {
    if (!memory.isNull()) {
      cudart.cudaFree(memory);
    }
  }
}
