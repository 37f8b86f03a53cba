package io.capstan.definitions.pipeline;

import io.capstan.definitions.executor.ContainerSpec;
import io.capstan.definitions.executor.Executor;
import io.capstan.definitions.executor.GpuSpec;
import io.capstan.definitions.executor.ShellSpec;
import io.capstan.definitions.executor.SimulateSpec;
import java.time.Duration;
import java.util.List;

/** One node of a pipeline's DAG. */
public record TaskSpec(
    String name,
    List<String> dependsOn,
    RetrySpec retry,
    Duration timeout,
    SimulateSpec simulate,
    ShellSpec shell,
    ContainerSpec container,
    GpuSpec gpu)
    implements Executor {
  public TaskSpec {
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
  }
}
