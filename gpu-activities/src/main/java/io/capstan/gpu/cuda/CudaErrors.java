package io.capstan.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.cudaErrorContextIsDestroyed;
import static org.bytedeco.cuda.global.cudart.cudaErrorDevicesUnavailable;
import static org.bytedeco.cuda.global.cudart.cudaErrorECCUncorrectable;
import static org.bytedeco.cuda.global.cudart.cudaErrorExternalDevice;
import static org.bytedeco.cuda.global.cudart.cudaErrorHardwareStackError;
import static org.bytedeco.cuda.global.cudart.cudaErrorIllegalAddress;
import static org.bytedeco.cuda.global.cudart.cudaErrorIllegalInstruction;
import static org.bytedeco.cuda.global.cudart.cudaErrorInvalidAddressSpace;
import static org.bytedeco.cuda.global.cudart.cudaErrorInvalidPc;
import static org.bytedeco.cuda.global.cudart.cudaErrorLaunchFailure;
import static org.bytedeco.cuda.global.cudart.cudaErrorLaunchTimeout;
import static org.bytedeco.cuda.global.cudart.cudaErrorMisalignedAddress;
import static org.bytedeco.cuda.global.cudart.cudaErrorNvlinkUncorrectable;
import static org.bytedeco.cuda.global.cudart.cudaErrorUnknown;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import io.capstan.gpu.GpuDeviceLostException;
import java.util.Set;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;

/**
 * Turns the return codes of CUDA and cuBLAS into Capstan's exceptions: a device that can no longer
 * be trusted is {@link GpuDeviceLostException} (the activity fails non-retryably and the fleet
 * quarantines it), anything else an {@link IllegalStateException} naming the call and CUDA's own
 * words. Only call after {@link CudaGpus#detect()} found the natives: the names come from CUDA.
 */
final class CudaErrors {
  /**
   * The errors after which the device's context is unusable (CUDA calls them sticky) or the device
   * itself is gone. {@code cudaErrorUnknown} is among them because a GPU that fell off the bus (Xid
   * 79) most often surfaces as it.
   */
  private static final Set<Integer> DEVICE_LOST =
      Set.of(
          cudaErrorDevicesUnavailable,
          cudaErrorLaunchFailure,
          cudaErrorIllegalAddress,
          cudaErrorECCUncorrectable,
          cudaErrorNvlinkUncorrectable,
          cudaErrorHardwareStackError,
          cudaErrorIllegalInstruction,
          cudaErrorMisalignedAddress,
          cudaErrorInvalidAddressSpace,
          cudaErrorInvalidPc,
          cudaErrorLaunchTimeout,
          cudaErrorContextIsDestroyed,
          cudaErrorExternalDevice,
          cudaErrorUnknown);

  private CudaErrors() {}

  /** Whether {@code code} means the device is gone or its results can no longer be trusted. */
  static boolean deviceLost(int code) {
    return DEVICE_LOST.contains(code);
  }

  /** Throws when a CUDA runtime call on {@code device} failed. */
  static void check(int device, int code, String call) {
    if (code != cudaSuccess) {
      // CUDA also records the error as the thread's last one; clear it so that a later cuBLAS
      // failure is not blamed on it.
      cudart.cudaGetLastError();
      throw failure(device, code, call);
    }
  }

  /**
   * Throws when a cuBLAS call on {@code device} failed; a CUDA error behind it (a failed kernel)
   * decides whether the device is lost.
   */
  static void checkBlas(int device, int status, String call) {
    if (status == cublas.CUBLAS_STATUS_SUCCESS) {
      return;
    }
    int cause = cudart.cudaGetLastError();
    if (cause != cudaSuccess) {
      throw failure(device, cause, call);
    }
    throw new CudaFailure(
        cudaSuccess,
        String.format(
            "%s on device %d failed: %s (%s)",
            call,
            device,
            string(cublas.cublasGetStatusName(status)),
            string(cublas.cublasGetStatusString(status))));
  }

  /** The exception for CUDA error {@code code} from {@code call} on {@code device}. */
  static RuntimeException failure(int device, int code, String call) {
    String message =
        String.format("%s on device %d failed: %s (%s)", call, device, name(code), describe(code));
    return deviceLost(code)
        ? new GpuDeviceLostException(device, message)
        : new CudaFailure(code, message);
  }

  /** A CUDA or cuBLAS call failed, the device still usable; {@link #code()} is CUDA's error. */
  static final class CudaFailure extends IllegalStateException {
    private final int code;

    CudaFailure(int code, String message) {
      super(message);
      this.code = code;
    }

    /** The CUDA error, or {@code cudaSuccess} where cuBLAS failed with no CUDA error behind. */
    int code() {
      return code;
    }
  }

  /** CUDA's name for {@code code}, e.g. {@code cudaErrorNoDevice}. */
  static String name(int code) {
    return string(cudart.cudaGetErrorName(code));
  }

  /** CUDA's sentence for {@code code}, e.g. "no CUDA-capable device is detected". */
  static String describe(int code) {
    return string(cudart.cudaGetErrorString(code));
  }

  private static String string(BytePointer text) {
    return text == null || text.isNull() ? "unknown" : text.getString();
  }
}
