package io.capstan.workflows.fake;

import io.capstan.definitions.Definition;
import io.capstan.definitions.JobDefinition;
import io.capstan.definitions.Metadata;
import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.executor.ContainerSimulation;
import io.capstan.definitions.executor.ContainerSpec;
import io.capstan.definitions.executor.GpuOp;
import io.capstan.definitions.executor.GpuSpec;
import io.capstan.definitions.executor.ShellSpec;
import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.definitions.job.JobSpec;
import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.PipelineSpec;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.definitions.pipeline.TaskDefaults;
import io.capstan.definitions.pipeline.TaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Validated definitions built in code, the way the parser would hand them to the workflows. */
public final class TestDefinitions {
  private TestDefinitions() {}

  /** A simulate task that succeeds with {@code output}. */
  public static TaskSpec task(String name, String output, String... dependsOn) {
    return new TaskSpec(
        name,
        List.of(dependsOn),
        null,
        null,
        new SimulateSpec(null, output, null, null, null),
        null,
        null,
        null);
  }

  /** A simulate task whose first {@code failAttempts} attempts fail. */
  public static TaskSpec failing(String name, int failAttempts, String... dependsOn) {
    return new TaskSpec(
        name,
        List.of(dependsOn),
        null,
        null,
        new SimulateSpec(null, name + "-out", failAttempts, null, null),
        null,
        null,
        null);
  }

  public static TaskSpec shell(String name, List<String> command, String... dependsOn) {
    return new TaskSpec(
        name, List.of(dependsOn), null, null, null, new ShellSpec(command, null, null), null, null);
  }

  public static TaskSpec container(String name) {
    return new TaskSpec(
        name,
        List.of(),
        null,
        null,
        null,
        null,
        new ContainerSpec("busybox:1.36", List.of("true"), null, null, null, null, null, null),
        null);
  }

  public static TaskSpec gpu(String name) {
    return new TaskSpec(
        name,
        List.of(),
        null,
        null,
        null,
        null,
        null,
        new GpuSpec(1, GpuOp.INVENTORY, null, null, null));
  }

  /** A container task whose simulated pod leaves {@code output}, after {@code dependsOn}. */
  public static TaskSpec container(String name, String output, String... dependsOn) {
    return container(
        name, List.of(), new ContainerSimulation(null, null, null, output, null), dependsOn);
  }

  /**
   * A container task running image {@code registry.example/NAME:1.0} with {@code args}, its
   * simulated pod behaving as {@code simulation} says, after {@code dependsOn}.
   */
  public static TaskSpec container(
      String name, List<String> args, ContainerSimulation simulation, String... dependsOn) {
    return new TaskSpec(
        name,
        List.of(dependsOn),
        null,
        null,
        null,
        null,
        new ContainerSpec(
            "registry.example/" + name + ":1.0",
            List.of(name),
            args,
            null,
            null,
            null,
            null,
            simulation),
        null);
  }

  public static TaskSpec withRetry(TaskSpec task, RetrySpec retry) {
    return new TaskSpec(
        task.name(),
        task.dependsOn(),
        retry,
        task.timeout(),
        task.simulate(),
        task.shell(),
        task.container(),
        task.gpu());
  }

  public static TaskSpec withTimeout(TaskSpec task, Duration timeout) {
    return new TaskSpec(
        task.name(),
        task.dependsOn(),
        task.retry(),
        timeout,
        task.simulate(),
        task.shell(),
        task.container(),
        task.gpu());
  }

  public static PipelineDefinition pipeline(TaskSpec... tasks) {
    return pipeline(new PipelineSpec(null, null, null, null, null, List.of(tasks)));
  }

  public static PipelineDefinition pipeline(PipelineSpec spec) {
    return new PipelineDefinition(
        Definition.API_VERSION,
        PipelineDefinition.KIND,
        new Metadata("test-pipeline", "team-a", null),
        spec);
  }

  /** A pipeline spec with every knob explicit. */
  public static PipelineSpec spec(
      Map<String, String> params,
      int parallelism,
      OnFailure onFailure,
      Duration timeout,
      TaskDefaults defaults,
      TaskSpec... tasks) {
    return new PipelineSpec(params, parallelism, onFailure, timeout, defaults, List.of(tasks));
  }

  /**
   * {@code count} tasks, each depending on the one before; task {@code tI} outputs {@code oI},
   * except the last, which outputs {@code last-} and the first one's output.
   */
  public static List<TaskSpec> chain(int count) {
    List<TaskSpec> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String[] dependsOn = i == 0 ? new String[0] : new String[] {"t" + (i - 1)};
      String output = i == count - 1 ? "last-#{t0.output}" : "o" + i;
      tasks.add(task("t" + i, output, dependsOn));
    }
    return tasks;
  }

  /** {@code count} independent tasks. */
  public static List<TaskSpec> wide(int count) {
    List<TaskSpec> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      tasks.add(task("t" + i, "o" + i));
    }
    return tasks;
  }

  public static RetrySpec exponential(int maxAttempts, Duration initial, double multiplier) {
    return new RetrySpec(
        maxAttempts,
        io.capstan.definitions.pipeline.Backoff.EXPONENTIAL,
        initial,
        null,
        multiplier,
        null);
  }

  public static JobDefinition job(JobSpec spec) {
    return new JobDefinition(
        Definition.API_VERSION, JobDefinition.KIND, new Metadata("test-job", "team-a", null), spec);
  }

  public static List<String> argv(String... words) {
    return Arrays.asList(words);
  }
}
