package io.capstan.definitions.job;

import io.capstan.definitions.executor.ContainerSpec;
import io.capstan.definitions.executor.Executor;
import io.capstan.definitions.executor.GpuSpec;
import io.capstan.definitions.executor.ShellSpec;
import io.capstan.definitions.executor.SimulateSpec;
import java.time.Duration;
import java.util.Map;

/** A single unit of work: one executor block plus restart, timeout, schedule and parallelism. */
public record JobSpec(
    Map<String, String> params,
    SimulateSpec simulate,
    ShellSpec shell,
    ContainerSpec container,
    GpuSpec gpu,
    RestartPolicy restartPolicy,
    Duration timeout,
    ScheduleSpec schedule,
    JobParallelism parallelism)
    implements Executor {
  public JobSpec {
    params = params == null ? Map.of() : Map.copyOf(params);
    restartPolicy =
        restartPolicy == null ? new RestartPolicy(0, null, null, null, null, null) : restartPolicy;
    parallelism = parallelism == null ? JobParallelism.SINGLE : parallelism;
  }
}
