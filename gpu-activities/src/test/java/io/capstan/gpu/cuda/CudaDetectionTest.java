package io.capstan.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.capstan.gpu.GpuDeviceLostException;
import org.bytedeco.cuda.global.cudart;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What holds on every host, with a GPU or without: these tests need no CUDA. */
@DisplayName("Finding CUDA devices")
class CudaDetectionTest {
  @Test
  @DisplayName("detection never throws: it finds devices or says why not, in one line")
  void detectionAnswersEverywhere() {
    assertThatCode(CudaGpus::detect).doesNotThrowAnyException();
    CudaGpus.Detection detection = CudaGpus.detect();

    System.out.println("CUDA detection: " + detection.reason());
    assertThat(detection.reason()).isNotBlank().doesNotContain("\n");
    detection.gpus().ifPresent(CudaGpus::close);
  }

  @Test
  @DisplayName("a library that does not load is reported by the library the linker missed")
  void linkErrorsReadAsTheMissingLibrary() {
    UnsatisfiedLinkError wrapper =
        new UnsatisfiedLinkError("no jnicudart in java.library.path: /usr/lib:/lib");
    wrapper.initCause(
        new UnsatisfiedLinkError(
            "/root/.javacpp/cache/cuda.jar/org/bytedeco/cuda/linux-x86_64/libjnicudart.so:"
                + " libcudart.so.13: cannot open shared object file: No such file or directory"));

    assertThat(CudaGpus.firstLine(wrapper))
        .isEqualTo(
            "libcudart.so.13: cannot open shared object file: No such file or directory"
                + " (loading libjnicudart.so)");
    assertThat(
            CudaGpus.firstLine(new ExceptionInInitializerError(new IllegalStateException("a\nb"))))
        .isEqualTo("IllegalStateException: a");
  }

  @Test
  @DisplayName("UUIDs read as nvidia-smi writes them, versions as 13.0")
  void formats() {
    byte[] bytes = new byte[16];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (0xf0 + i);
    }

    assertThat(CudaGpus.uuid(bytes)).isEqualTo("GPU-f0f1f2f3-f4f5-f6f7-f8f9-fafbfcfdfeff");
    assertThat(CudaGpus.version(13000)).isEqualTo("13.0");
    assertThat(CudaGpus.version(12080)).isEqualTo("12.8");
  }

  @Test
  @DisplayName(
      "sticky kernel errors, ECC and a vanished device mean the device is lost; others not")
  void deviceLostErrors() {
    assertThat(CudaErrors.deviceLost(cudart.cudaErrorIllegalAddress)).isTrue();
    assertThat(CudaErrors.deviceLost(cudart.cudaErrorLaunchFailure)).isTrue();
    assertThat(CudaErrors.deviceLost(cudart.cudaErrorECCUncorrectable)).isTrue();
    assertThat(CudaErrors.deviceLost(cudart.cudaErrorDevicesUnavailable)).isTrue();
    assertThat(CudaErrors.deviceLost(cudart.cudaErrorMemoryAllocation)).isFalse();
    assertThat(CudaErrors.deviceLost(cudart.cudaErrorInvalidValue)).isFalse();
    assertThat(CudaErrors.deviceLost(cudart.cudaSuccess)).isFalse();
    // The exception the activities turn into a non-retryable DeviceLost failure.
    assertThat(GpuDeviceLostException.class).isAssignableTo(RuntimeException.class);
  }
}
