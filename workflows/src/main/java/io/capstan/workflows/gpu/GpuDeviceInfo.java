package io.capstan.workflows.gpu;

/**
 * One device of a GPU host, as its inventory reports it: identity and capability from the CUDA
 * runtime, health from NVML (null where the host cannot say).
 *
 * @param index the CUDA device index on its host
 * @param computeCapability {@code major.minor}, e.g. {@code 9.0}
 * @param eccDoubleBit uncorrectable (double-bit) ECC errors since the driver loaded; any is a fault
 */
public record GpuDeviceInfo(
    int index,
    String uuid,
    String name,
    long memoryBytes,
    int smCount,
    String computeCapability,
    String driverVersion,
    String runtimeVersion,
    Double temperatureCelsius,
    Double powerWatts,
    Double utilizationPercent,
    Long eccSingleBit,
    Long eccDoubleBit,
    Long retiredPages) {}
