package io.capstan.app.worker;

import picocli.CommandLine.Option;

/** The GPU hosts of {@code capstan up}: simulated, so gpu tasks run on any machine. */
public final class GpuFlags {
  @Option(
      names = "--gpu-hosts",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "Simulated GPU hosts to run (sim-gpu-0, sim-gpu-1, …), each on its own queue in the GPU"
              + " fleet (default: ${DEFAULT-VALUE}; 0 for none).")
  int hosts;

  @Option(
      names = "--gpus-per-host",
      paramLabel = "N",
      defaultValue = "4",
      description = "Simulated devices per GPU host (default: ${DEFAULT-VALUE}).")
  int devices;

  public int hosts() {
    return hosts;
  }

  public int devices() {
    return devices;
  }
}
