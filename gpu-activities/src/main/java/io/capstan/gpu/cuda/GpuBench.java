package io.capstan.gpu.cuda;

import io.capstan.gpu.BurnIn;
import io.capstan.gpu.GpuBackend;
import io.capstan.workflows.gpu.GpuDeviceInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Measures one device through {@link CudaGpus}, as the GPU activities use it, and prints one JSON
 * object a line for {@code bench/gpu/torch_compare.py} to set beside PyTorch: the inventory, every
 * burn-in window and its verdict ({@link BurnIn}), and copy bandwidth. Needs no Temporal: the
 * benchmark kit ({@code bench/gpu/prepare.sh}) carries only a small JRE, this module, JavaCPP and
 * the CUDA presets.
 *
 * <p>Flags, each {@code --name value}: {@code --device} (0), {@code --size} (8192), {@code
 * --seconds} per precision (20), {@code --window} seconds (2), {@code --precisions} (bf16,fp32),
 * {@code --bytes} per copy (1 GiB), {@code --repeats} (20). Exits 0 when every burn-in passed, 1
 * when one failed or an FP32 result differs from the known sum, 2 when there is no usable GPU.
 */
public final class GpuBench {
  private GpuBench() {}

  public static void main(String[] args) {
    Map<String, String> flags = flags(args);
    int device = Integer.parseInt(flags.getOrDefault("device", "0"));
    int size = Integer.parseInt(flags.getOrDefault("size", "8192"));
    double seconds = Double.parseDouble(flags.getOrDefault("seconds", "20"));
    double window = Double.parseDouble(flags.getOrDefault("window", "2"));
    long bytes = Long.parseLong(flags.getOrDefault("bytes", String.valueOf(1L << 30)));
    int repeats = Integer.parseInt(flags.getOrDefault("repeats", "20"));
    List<GpuBackend.Precision> precisions = new ArrayList<>();
    for (String name : flags.getOrDefault("precisions", "bf16,fp32").split(",")) {
      precisions.add(GpuBackend.Precision.parse(name.strip()));
    }

    CudaGpus.Detection detection = CudaGpus.detect();
    print(line("detect", "found", detection.gpus().isPresent(), "reason", detection.reason()));
    if (detection.gpus().isEmpty()) {
      System.exit(2);
    }
    boolean passed = true;
    try (CudaGpus gpus = detection.gpus().get()) {
      for (GpuDeviceInfo info : gpus.devices()) {
        print(device(info));
      }
      for (GpuBackend.Precision precision : precisions) {
        passed &= burnIn(gpus, device, precision, size, seconds, window);
      }
      long started = System.nanoTime();
      double deviceToDevice = gpus.deviceToDevice(device, bytes, repeats);
      double hostToDevice = gpus.hostToDevice(device, bytes, repeats);
      print(
          line(
              "bandwidth",
              "device",
              device,
              "bytes",
              bytes,
              "repeats",
              repeats,
              "deviceToDeviceGBps",
              deviceToDevice,
              "hostToDeviceGBps",
              hostToDevice,
              "seconds",
              (System.nanoTime() - started) / 1e9));
    } catch (RuntimeException e) {
      // A lost device or a failed call ends the run; say so as a line, like everything else.
      print(line("error", "type", e.getClass().getSimpleName(), "message", e.getMessage()));
      System.exit(1);
    }
    System.exit(passed ? 0 : 1);
  }

  /** One precision's burn-in, window by window; answers whether it passed. */
  private static boolean burnIn(
      CudaGpus gpus,
      int device,
      GpuBackend.Precision precision,
      int size,
      double seconds,
      double window) {
    String name = precision.name().toLowerCase(Locale.ROOT);
    long windowNanos = (long) (window * 1e9);
    int windows = (int) Math.max(1, Math.round(seconds / window));
    double expected = gpus.expectedChecksum(precision, size).orElse(Double.NaN);
    BurnIn verdict = new BurnIn(null, Double.isNaN(expected) ? null : expected);
    double flops = 0;
    double nanos = 0;
    double steadyFlops = 0;
    double steadyNanos = 0;
    Double checksum = null;
    Optional<String> failure = Optional.empty();
    for (int w = 1; w <= windows && failure.isEmpty(); w++) {
      GpuBackend.GemmWindow result = gpus.gemm(device, precision, size, windowNanos);
      failure = verdict.add(result);
      flops += result.flops();
      nanos += result.nanos();
      // The first window warms the clocks up; the steady rate is the rest's.
      if (w > 1 || windows == 1) {
        steadyFlops += result.flops();
        steadyNanos += result.nanos();
      }
      checksum = result.checksum();
      print(
          line(
              "window",
              "precision",
              name,
              "size",
              size,
              "window",
              w,
              "tflops",
              result.tflops(),
              "seconds",
              result.nanos() / 1e9,
              "checksum",
              result.checksum(),
              "finite",
              result.finite()));
    }
    // Exact equality, stricter than the verdict's tolerance: a healthy device sums exactly.
    boolean exact = checksum != null && checksum == expected;
    print(
        line(
            "burnin",
            "precision",
            name,
            "size",
            size,
            "windows",
            verdict.rates().size(),
            "meanTflops",
            flops / nanos / 1e3,
            "steadyTflops",
            steadyNanos == 0 ? null : steadyFlops / steadyNanos / 1e3,
            "minTflops",
            verdict.rates().stream().mapToDouble(Double::doubleValue).min().orElse(0),
            "maxTflops",
            verdict.rates().stream().mapToDouble(Double::doubleValue).max().orElse(0),
            "checksum",
            checksum,
            "expectedChecksum",
            expected,
            "exact",
            exact,
            "passed",
            failure.isEmpty() && exact,
            "failure",
            failure.orElse(exact ? null : "the result's sum differs from the known exact sum")));
    return failure.isEmpty() && exact;
  }

  private static Map<String, Object> device(GpuDeviceInfo info) {
    return line(
        "device",
        "index",
        info.index(),
        "uuid",
        info.uuid(),
        "name",
        info.name(),
        "memoryBytes",
        info.memoryBytes(),
        "smCount",
        info.smCount(),
        "computeCapability",
        info.computeCapability(),
        "driverVersion",
        info.driverVersion(),
        "runtimeVersion",
        info.runtimeVersion(),
        "temperatureCelsius",
        info.temperatureCelsius(),
        "powerWatts",
        info.powerWatts(),
        "utilizationPercent",
        info.utilizationPercent(),
        "eccSingleBit",
        info.eccSingleBit(),
        "eccDoubleBit",
        info.eccDoubleBit(),
        "retiredPages",
        info.retiredPages());
  }

  private static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("flags are --name value; got '" + args[i] + "'");
      }
      flags.put(args[i].substring(2), args[++i]);
    }
    return flags;
  }

  /** An event and its fields, in order. */
  private static Map<String, Object> line(String event, Object... fields) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("event", event);
    for (int i = 0; i < fields.length; i += 2) {
      line.put((String) fields[i], fields[i + 1]);
    }
    return line;
  }

  private static void print(Map<String, Object> line) {
    StringBuilder json = new StringBuilder("{");
    for (Map.Entry<String, Object> field : line.entrySet()) {
      if (json.length() > 1) {
        json.append(',');
      }
      json.append(quote(field.getKey())).append(':').append(value(field.getValue()));
    }
    System.out.println(json.append('}'));
    System.out.flush();
  }

  private static String value(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Double number) {
      return number.isNaN() || number.isInfinite() ? "null" : number.toString();
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    return quote(value.toString());
  }

  private static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\r' -> quoted.append("\\r");
        case '\t' -> quoted.append("\\t");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
