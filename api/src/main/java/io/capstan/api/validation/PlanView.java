package io.capstan.api.validation;

import io.capstan.definitions.Definition;
import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.definitions.job.CompletionStrategy;
import io.capstan.definitions.job.JobDefinition;
import io.capstan.definitions.job.JobParallelism;
import io.capstan.definitions.pipeline.PipelineDefinition;
import io.capstan.definitions.pipeline.Plan;
import io.capstan.definitions.pipeline.Planner;
import java.time.Duration;
import java.util.List;

/**
 * How a definition will run, as {@code POST /api/v1/validate} answers it: the tasks level by level
 * (each level can run at once) and the critical path with its expected duration.
 */
public record PlanView(List<List<String>> levels, CriticalPath criticalPath) {
  /**
   * @param duration the expected duration; tasks without an estimate (anything but {@code
   *     simulate}) count as zero
   */
  public record CriticalPath(List<String> tasks, Duration duration) {}

  public static PlanView of(Definition definition) {
    if (definition instanceof PipelineDefinition pipeline) {
      Plan plan = Planner.plan(pipeline);
      return new PlanView(
          plan.levels(), new CriticalPath(plan.criticalPath(), plan.estimatedDuration()));
    }
    if (definition instanceof JobDefinition job) {
      return ofJob(job);
    }
    String name = definition.metadata().name();
    return new PlanView(List.of(List.of(name)), new CriticalPath(List.of(name), Duration.ZERO));
  }

  /**
   * A job is one unit of work; with several completions it runs in waves of {@code maxConcurrent},
   * and one wave is enough when any success completes it.
   */
  private static PlanView ofJob(JobDefinition job) {
    String name = job.metadata().name();
    SimulateSpec simulate = job.spec().simulate();
    Duration attempt = simulate == null ? Duration.ZERO : simulate.duration();
    JobParallelism parallelism = job.spec().parallelism();
    int waves =
        parallelism.completionStrategy() == CompletionStrategy.AnySuccessful
            ? 1
            : (int)
                Math.ceil(
                    (double) Math.max(1, parallelism.completions())
                        / Math.max(1, parallelism.maxConcurrent()));
    return new PlanView(
        List.of(List.of(name)), new CriticalPath(List.of(name), attempt.multipliedBy(waves)));
  }
}
