package io.capstan.app.worker;

import io.capstan.gpu.GpuBackend;
import io.capstan.gpu.GpuHost;
import io.capstan.gpu.SimulatedGpus;
import io.capstan.gpu.cuda.CudaGpus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The GPU hosts a process serves: simulated ones for {@code capstan up} and demos, or this
 * machine's CUDA devices for {@code capstan worker --role gpu}.
 */
public final class GpuHosts {
  /** The label every simulated host offers, so a definition can ask for simulated devices. */
  public static final Map<String, String> SIMULATED_LABELS = Map.of("capstan.io/simulated", "true");

  private GpuHosts() {}

  /**
   * {@code hosts} simulated hosts of {@code devices} H200-like devices each, paced in real time.
   */
  public static List<GpuHost> simulated(String prefix, int hosts, int devices) {
    if (hosts < 0 || devices < 1 || devices > 16) {
      throw new IllegalArgumentException(
          "simulated GPU hosts need 1 to 16 devices each, not " + devices);
    }
    List<GpuHost> list = new ArrayList<>();
    for (int i = 0; i < hosts; i++) {
      String name = prefix + i;
      list.add(
          new GpuHost(
              name, SimulatedGpus.of(name, devices, SimulatedGpus.sleeping()), SIMULATED_LABELS));
    }
    return list;
  }

  /**
   * This machine's CUDA devices as host {@code name}.
   *
   * @throws NoGpuException with a one-line reason when this machine has no usable GPU
   */
  public static GpuHost cuda(String name, Map<String, String> labels) {
    CudaGpus.Detection detection = CudaGpus.detect();
    GpuBackend backend = detection.gpus().orElseThrow(() -> new NoGpuException(detection.reason()));
    return new GpuHost(name, backend, labels);
  }

  /** This machine has no GPU Capstan can use; the message says why in one line. */
  public static final class NoGpuException extends RuntimeException {
    public NoGpuException(String reason) {
      super(reason);
    }
  }
}
