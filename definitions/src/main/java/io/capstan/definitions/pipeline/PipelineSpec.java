package io.capstan.definitions.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A DAG of tasks with its parameters, concurrency limit, failure mode and defaults. */
public record PipelineSpec(
    Map<String, String> params,
    Integer parallelism,
    OnFailure onFailure,
    Duration timeout,
    TaskDefaults defaults,
    List<TaskSpec> tasks) {
  public static final int DEFAULT_PARALLELISM = 10;

  public PipelineSpec {
    params = params == null ? Map.of() : Map.copyOf(params);
    parallelism = parallelism == null ? DEFAULT_PARALLELISM : parallelism;
    onFailure = onFailure == null ? OnFailure.STOP : onFailure;
    defaults = defaults == null ? new TaskDefaults(null, null) : defaults;
    tasks = tasks == null ? List.of() : List.copyOf(tasks);
  }
}
