package io.capstan.definitions;

import io.capstan.definitions.pipeline.PipelineSpec;
import io.capstan.definitions.pipeline.TaskSpec;
import java.util.List;

/** A {@code kind: Pipeline} document. */
public record PipelineDefinition(
    String apiVersion, String kind, Metadata metadata, PipelineSpec spec) implements Definition {
  public static final String KIND = "Pipeline";

  /**
   * This pipeline with {@code tasks} instead of its own: a large run's input holds it without
   * tasks, and each of its segments holds a slice of them.
   */
  public PipelineDefinition withTasks(List<TaskSpec> tasks) {
    return new PipelineDefinition(
        apiVersion,
        kind,
        metadata,
        new PipelineSpec(
            spec.params(),
            spec.parallelism(),
            spec.onFailure(),
            spec.timeout(),
            spec.defaults(),
            tasks));
  }
}
