package io.capstan.gpu.cuda;

import static org.bytedeco.cuda.global.nvml.NVML_ERROR_INSUFFICIENT_SIZE;
import static org.bytedeco.cuda.global.nvml.NVML_MEMORY_ERROR_TYPE_CORRECTED;
import static org.bytedeco.cuda.global.nvml.NVML_MEMORY_ERROR_TYPE_UNCORRECTED;
import static org.bytedeco.cuda.global.nvml.NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR;
import static org.bytedeco.cuda.global.nvml.NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS;
import static org.bytedeco.cuda.global.nvml.NVML_SUCCESS;
import static org.bytedeco.cuda.global.nvml.NVML_TEMPERATURE_GPU;
import static org.bytedeco.cuda.global.nvml.NVML_VOLATILE_ECC;

import org.bytedeco.cuda.global.nvml;
import org.bytedeco.cuda.nvml.nvmlDevice_st;
import org.bytedeco.cuda.nvml.nvmlUtilization_t;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;

/**
 * A device's health as NVML reports it: temperature, power, utilization, ECC counts, retired pages.
 * NVML ships with the driver, not with CUDA, and may be missing or refuse a field: a missing NVML
 * or a field it does not support reads as null, never as a failure of the inventory. Devices are
 * found by UUID, because NVML numbers them in PCI order while CUDA numbers them fastest first and
 * after {@code CUDA_VISIBLE_DEVICES}.
 */
final class NvmlHealth implements AutoCloseable {
  /** What NVML says of one device; each field null where it cannot say. */
  record Health(
      Double temperatureCelsius,
      Double powerWatts,
      Double utilizationPercent,
      Long eccSingleBit,
      Long eccDoubleBit,
      Long retiredPages) {
    static final Health UNKNOWN = new Health(null, null, null, null, null, null);
  }

  private final boolean available;
  private final String reason;
  private boolean closed;

  private NvmlHealth(boolean available, String reason) {
    this.available = available;
    this.reason = reason;
  }

  /** Loads and initializes NVML; never throws: where it cannot, every reading is unknown. */
  static NvmlHealth open() {
    try {
      Loader.load(nvml.class);
      int status = nvml.nvmlInit_v2();
      if (status != NVML_SUCCESS) {
        return new NvmlHealth(false, "nvmlInit_v2 failed: " + error(status));
      }
      return new NvmlHealth(true, "NVML " + systemDriverVersion());
    } catch (LinkageError | RuntimeException e) {
      return new NvmlHealth(false, "NVML could not be loaded: " + CudaGpus.firstLine(e));
    }
  }

  /** Whether NVML answers at all. */
  boolean available() {
    return available;
  }

  /** Why NVML is unavailable, or which driver it reports. */
  String reason() {
    return reason;
  }

  /**
   * The health of the device with {@code uuid} (as {@code GPU-…}), unknown where NVML can't say.
   */
  synchronized Health read(String uuid) {
    if (!available || closed) {
      return Health.UNKNOWN;
    }
    nvmlDevice_st device = new nvmlDevice_st();
    try (BytePointer id = new BytePointer(uuid)) {
      if (nvml.nvmlDeviceGetHandleByUUID(id, device) != NVML_SUCCESS) {
        return Health.UNKNOWN;
      }
    }
    try (IntPointer value = new IntPointer(1);
        LongPointer count = new LongPointer(1);
        nvmlUtilization_t utilization = new nvmlUtilization_t()) {
      Double temperature =
          nvml.nvmlDeviceGetTemperature(device, NVML_TEMPERATURE_GPU, value) == NVML_SUCCESS
              ? (double) value.get()
              : null;
      // NVML reports milliwatts.
      Double power =
          nvml.nvmlDeviceGetPowerUsage(device, value) == NVML_SUCCESS
              ? Integer.toUnsignedLong(value.get()) / 1000.0
              : null;
      Double busy =
          nvml.nvmlDeviceGetUtilizationRates(device, utilization) == NVML_SUCCESS
              ? (double) utilization.gpu()
              : null;
      Long single =
          nvml.nvmlDeviceGetTotalEccErrors(
                      device, NVML_MEMORY_ERROR_TYPE_CORRECTED, NVML_VOLATILE_ECC, count)
                  == NVML_SUCCESS
              ? count.get()
              : null;
      Long dual =
          nvml.nvmlDeviceGetTotalEccErrors(
                      device, NVML_MEMORY_ERROR_TYPE_UNCORRECTED, NVML_VOLATILE_ECC, count)
                  == NVML_SUCCESS
              ? count.get()
              : null;
      Long retired = retiredPages(device);
      return new Health(temperature, power, busy, single, dual, retired);
    }
  }

  /**
   * Pages retired for either cause; null where the device does not retire pages (Hopper and later
   * remap rows instead).
   */
  private static Long retiredPages(nvmlDevice_st device) {
    long total = 0;
    for (int cause :
        new int[] {
          NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS,
          NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR
        }) {
      // Asked with room for none, NVML answers the count alone (INSUFFICIENT_SIZE when non-zero).
      try (IntPointer pages = new IntPointer(1).put(0)) {
        int status = nvml.nvmlDeviceGetRetiredPages(device, cause, pages, (LongPointer) null);
        if (status != NVML_SUCCESS && status != NVML_ERROR_INSUFFICIENT_SIZE) {
          return null;
        }
        total += Integer.toUnsignedLong(pages.get());
      }
    }
    return total;
  }

  private static String systemDriverVersion() {
    try (BytePointer version = new BytePointer(96)) {
      return nvml.nvmlSystemGetDriverVersion(version, 96) == NVML_SUCCESS
          ? "driver " + version.getString()
          : "driver unknown";
    }
  }

  private static String error(int status) {
    BytePointer text = nvml.nvmlErrorString(status);
    return (text == null || text.isNull() ? "NVML error" : text.getString()) + " (" + status + ")";
  }

  @Override
  public synchronized void close() {
    if (available && !closed) {
      nvml.nvmlShutdown();
    }
    closed = true;
  }
}
