package io.capstan.gpu.cuda;

import static io.capstan.gpu.cuda.CudaErrors.check;

import io.capstan.gpu.GpuBackend;
import io.capstan.workflows.gpu.GpuDeviceInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.cuda.cudart.CUuuid_st;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Loader;

/**
 * The devices of this host through CUDA, via JavaCPP's presets: identity from the CUDA runtime,
 * health from NVML, GEMMs from cuBLAS, copies timed with CUDA events. Obtain it with {@link
 * #detect()}, which answers why not on a host without a usable GPU instead of throwing. The JNI
 * wrappers link against the host's CUDA 13 libraries (docs/gpu-cuda.md says where they are looked
 * for). Calls for one device come from one thread at a time; different devices may run at once.
 */
public final class CudaGpus implements GpuBackend, AutoCloseable {
  /**
   * What {@link #detect()} found: the devices, or why this host has none that CUDA can use.
   *
   * @param reason one line: why there is no usable GPU, or, where there is, what was found
   */
  public record Detection(Optional<CudaGpus> gpus, String reason) {
    static Detection absent(String reason) {
      return new Detection(Optional.empty(), reason);
    }
  }

  /** Why the CUDA runtime did not load in this JVM, once it has failed to. */
  private static volatile String loadFailure;

  private final List<CudaDevice> devices;
  private final String driverVersion;
  private final String runtimeVersion;
  private final NvmlHealth nvml;
  private final Map<String, Double> expected = new ConcurrentHashMap<>();

  private CudaGpus(int count, String driverVersion, String runtimeVersion, NvmlHealth nvml) {
    List<CudaDevice> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      all.add(new CudaDevice(i));
    }
    this.devices = List.copyOf(all);
    this.driverVersion = driverVersion;
    this.runtimeVersion = runtimeVersion;
    this.nvml = nvml;
  }

  /**
   * Loads CUDA and counts the devices. Never throws: a missing library, a driver too old for the
   * runtime, or no device at all come back as the reason, one line.
   */
  public static Detection detect() {
    String failed = loadFailure;
    if (failed != null) {
      return Detection.absent(failed);
    }
    try {
      Loader.load(cudart.class);
    } catch (LinkageError | RuntimeException e) {
      // A class whose initializer failed stays failed in this JVM, and later attempts only say
      // "could not initialize": keep the first, informative reason.
      loadFailure = "the CUDA 13 runtime could not be loaded: " + firstLine(e);
      return Detection.absent(loadFailure);
    }
    try {
      int[] count = new int[1];
      int status = cudart.cudaGetDeviceCount(count);
      if (status != cudart.cudaSuccess) {
        return Detection.absent(
            "cudaGetDeviceCount failed: "
                + CudaErrors.name(status)
                + " ("
                + CudaErrors.describe(status)
                + ")");
      }
      if (count[0] == 0) {
        return Detection.absent("CUDA sees no device");
      }
      int[] version = new int[1];
      String driver =
          cudart.cudaDriverGetVersion(version) == cudart.cudaSuccess
              ? version(version[0])
              : "unknown";
      String runtime =
          cudart.cudaRuntimeGetVersion(version) == cudart.cudaSuccess
              ? version(version[0])
              : "unknown";
      try {
        Loader.load(cublas.class);
      } catch (LinkageError | RuntimeException e) {
        loadFailure = "cuBLAS 13 could not be loaded: " + firstLine(e);
        return Detection.absent(loadFailure);
      }
      NvmlHealth nvml = NvmlHealth.open();
      CudaGpus gpus = new CudaGpus(count[0], driver, runtime, nvml);
      return new Detection(
          Optional.of(gpus),
          String.format(
              Locale.ROOT,
              "%d CUDA device(s), driver %s, runtime %s; %s",
              count[0],
              driver,
              runtime,
              nvml.reason()));
    } catch (LinkageError | RuntimeException e) {
      return Detection.absent("CUDA failed while counting devices: " + firstLine(e));
    }
  }

  @Override
  public List<GpuDeviceInfo> devices() {
    List<GpuDeviceInfo> infos = new ArrayList<>();
    for (int i = 0; i < devices.size(); i++) {
      try (cudaDeviceProp properties = new cudaDeviceProp()) {
        check(i, cudart.cudaGetDeviceProperties(properties, i), "cudaGetDeviceProperties");
        CUuuid_st id = new CUuuid_st(properties.uuid());
        byte[] bytes = new byte[16];
        for (int b = 0; b < bytes.length; b++) {
          bytes[b] = id.bytes(b);
        }
        String uuid = uuid(bytes);
        NvmlHealth.Health health = nvml.read(uuid);
        infos.add(
            new GpuDeviceInfo(
                i,
                uuid,
                properties.name().getString(),
                properties.totalGlobalMem(),
                properties.multiProcessorCount(),
                properties.major() + "." + properties.minor(),
                driverVersion,
                runtimeVersion,
                health.temperatureCelsius(),
                health.powerWatts(),
                health.utilizationPercent(),
                health.eccSingleBit(),
                health.eccDoubleBit(),
                health.retiredPages()));
      }
    }
    return infos;
  }

  @Override
  public GemmWindow gemm(int device, Precision precision, int size, long nanos) {
    if (size < 1 || nanos <= 0) {
      throw new IllegalArgumentException("a GEMM needs a positive size and duration");
    }
    return device(device).gemm(precision, size, nanos);
  }

  /**
   * The exact sum a healthy device's result has for {@code size}: the inputs are {@link
   * GemmPattern}'s, whose product is known without computing it.
   */
  @Override
  public OptionalDouble expectedChecksum(Precision precision, int size) {
    if (size < 1 || size > 1 << 15) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(
        expected.computeIfAbsent(
            precision.name() + "/" + size, key -> GemmPattern.checksum(precision, size)));
  }

  @Override
  public double deviceToDevice(int device, long bytes, int repeats) {
    CudaDevice target = device(device);
    synchronized (target) {
      target.use();
      return CopyBandwidth.deviceToDevice(device, bytes, repeats);
    }
  }

  @Override
  public double hostToDevice(int device, long bytes, int repeats) {
    CudaDevice target = device(device);
    synchronized (target) {
      target.use();
      return CopyBandwidth.hostToDevice(device, bytes, repeats);
    }
  }

  private CudaDevice device(int index) {
    if (index < 0 || index >= devices.size()) {
      throw new IllegalArgumentException(
          "device " + index + " does not exist: CUDA sees " + devices.size());
    }
    return devices.get(index);
  }

  /** Frees every device's buffers and cuBLAS handle, and shuts NVML down. */
  @Override
  public void close() {
    devices.forEach(CudaDevice::close);
    nvml.close();
  }

  /** A device UUID as nvidia-smi and NVML write it: {@code GPU-xxxxxxxx-xxxx-xxxx-xxxx-…}. */
  static String uuid(byte[] bytes) {
    StringBuilder text = new StringBuilder("GPU-");
    for (int i = 0; i < bytes.length; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) {
        text.append('-');
      }
      text.append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xff));
    }
    return text.toString();
  }

  /** A CUDA version number as people write it: 13000 is "13.0", 12080 "12.8". */
  static String version(int number) {
    return number / 1000 + "." + (number % 1000) / 10;
  }

  /**
   * Why a library did not load, in one line: the deepest cause (JavaCPP wraps the dynamic linker's
   * answer in its own "no jnicudart in java.library.path"), its first line, and for the linker's
   * "/path/libjnicudart.so: libcuda.so.1: cannot open…" the missing library first.
   */
  static String firstLine(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? "" : cause.getMessage().strip();
    int end = message.indexOf('\n');
    String line = end < 0 ? message : message.substring(0, end).strip();
    int library = line.indexOf(".so: ");
    if (line.startsWith("/") && library > 0) {
      String loading = line.substring(line.lastIndexOf('/', library) + 1, library + 3);
      return line.substring(library + 5) + " (loading " + loading + ")";
    }
    return cause.getClass().getSimpleName() + ": " + line;
  }
}
