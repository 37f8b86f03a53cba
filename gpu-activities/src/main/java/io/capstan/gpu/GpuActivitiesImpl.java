package io.capstan.gpu;

import io.capstan.workflows.gpu.GpuActivities;
import io.capstan.workflows.gpu.GpuDeviceInfo;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * {@link GpuActivities} over a {@link GpuBackend}: a burn-in runs every asked device at once, one
 * thread each, window after window, judged by {@link BurnIn}, and heartbeats each device's latest
 * TFLOPS so the Web UI and a cancel see it live.
 */
public final class GpuActivitiesImpl implements GpuActivities {
  private final String host;
  private final GpuBackend backend;

  public GpuActivitiesImpl(String host, GpuBackend backend) {
    this.host = host;
    this.backend = backend;
  }

  @Override
  public GpuInventory inventory() {
    return new GpuInventory(host, backend.devices());
  }

  @Override
  public BurnInResult burnIn(BurnInRequest request) {
    GpuBackend.Precision precision;
    try {
      precision = GpuBackend.Precision.parse(request.precision());
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), INVALID_REQUEST);
    }
    if (request.matrixSize() < 16
        || request.window() == null
        || request.window().isNegative()
        || request.window().isZero()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "a burn-in needs a matrix size of at least 16 and a positive window", INVALID_REQUEST);
    }
    List<Integer> indices = indices(request.devices());
    long windowNanos = request.window().toNanos();
    int windows = (int) Math.max(1, request.duration().toNanos() / windowNanos);
    double[] latest = new double[indices.size()];
    ExecutorService pool = Executors.newFixedThreadPool(indices.size());
    try {
      List<Future<DeviceBurnIn>> runs = new ArrayList<>();
      for (int slot = 0; slot < indices.size(); slot++) {
        int position = slot;
        int device = indices.get(slot);
        runs.add(
            pool.submit(
                () -> {
                  java.util.OptionalDouble expected =
                      backend.expectedChecksum(precision, request.matrixSize());
                  BurnIn verdict =
                      new BurnIn(
                          request.minTflops(),
                          expected.isPresent() ? expected.getAsDouble() : null);
                  for (int w = 0; w < windows; w++) {
                    GpuBackend.GemmWindow window =
                        backend.gemm(device, precision, request.matrixSize(), windowNanos);
                    latest[position] = window.tflops();
                    Optional<String> failed = verdict.add(window);
                    if (failed.isPresent()) {
                      return new DeviceBurnIn(device, false, verdict.rates(), failed.get());
                    }
                  }
                  Long uncorrectable = backend.devices().get(device).eccDoubleBit();
                  if (uncorrectable != null && uncorrectable > 0) {
                    // DCGM's rule: a device with double-bit errors needs a reset or a swap,
                    // however well it computes now. The volatile count clears on reset.
                    return new DeviceBurnIn(
                        device,
                        false,
                        verdict.rates(),
                        uncorrectable
                            + " uncorrectable (double-bit) ECC errors: the device needs a reset"
                            + " (nvidia-smi -r) or a replacement");
                  }
                  return new DeviceBurnIn(device, true, verdict.rates(), null);
                }));
      }
      List<DeviceBurnIn> results = new ArrayList<>();
      for (int slot = 0; slot < runs.size(); slot++) {
        results.add(await(runs.get(slot), latest));
      }
      return new BurnInResult(host, results);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Waits for one device's burn-in, heartbeating every device's latest rate meanwhile. */
  private DeviceBurnIn await(Future<DeviceBurnIn> run, double[] latest) {
    while (true) {
      try {
        return run.get(1, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException stillRunning) {
        Activity.getExecutionContext().heartbeat(latest.clone());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ApplicationFailure.newFailure("interrupted", "Interrupted");
      } catch (ExecutionException e) {
        throw failure(e.getCause());
      }
    }
  }

  @Override
  public BandwidthResult bandwidth(BandwidthRequest request) {
    if (request.bytes() <= 0 || request.repeats() <= 0) {
      throw ApplicationFailure.newNonRetryableFailure(
          "a bandwidth test needs positive bytes and repeats", INVALID_REQUEST);
    }
    List<DeviceBandwidth> results = new ArrayList<>();
    for (int device : indices(request.devices())) {
      try {
        results.add(
            new DeviceBandwidth(
                device,
                backend.deviceToDevice(device, request.bytes(), request.repeats()),
                backend.hostToDevice(device, request.bytes(), request.repeats())));
      } catch (RuntimeException e) {
        throw failure(e);
      }
      Activity.getExecutionContext().heartbeat(device);
    }
    return new BandwidthResult(host, results);
  }

  private List<Integer> indices(List<Integer> asked) {
    List<GpuDeviceInfo> devices = backend.devices();
    if (asked == null || asked.isEmpty()) {
      return IntStream.range(0, devices.size()).boxed().toList();
    }
    for (int index : asked) {
      if (index < 0 || index >= devices.size()) {
        throw ApplicationFailure.newNonRetryableFailure(
            "device " + index + " does not exist: host " + host + " has " + devices.size(),
            INVALID_REQUEST);
      }
    }
    return List.copyOf(asked);
  }

  private static RuntimeException failure(Throwable cause) {
    if (cause instanceof GpuDeviceLostException lost) {
      return ApplicationFailure.newNonRetryableFailure(
          lost.getMessage(), DEVICE_LOST, lost.device());
    }
    if (cause instanceof IllegalArgumentException invalid) {
      return ApplicationFailure.newNonRetryableFailure(invalid.getMessage(), INVALID_REQUEST);
    }
    return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
  }
}
