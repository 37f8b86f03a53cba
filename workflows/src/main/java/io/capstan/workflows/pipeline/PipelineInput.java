package io.capstan.workflows.pipeline;

import io.capstan.definitions.PipelineDefinition;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The argument of {@link PipelineWorkflow}: the validated definition, the effective parameters (the
 * definition's, overridden at submit and, in a continued execution, by the {@code retryTask}
 * updates so far) and, after a continue-as-new, the state carried over.
 *
 * <p>A run with more tasks than one segment holds comes in two parts: the run's workflow gets the
 * definition without its tasks and {@code segmented}, and cuts the tasks into segments, each run by
 * a child workflow whose input names only its {@code segment} (the child reads its tasks itself).
 *
 * @param definition the definition; without tasks when {@code segmented} is set, and null for a
 *     segment, which reads its own
 * @param carry null on a run's first execution
 * @param segmented where a large run's tasks are; null otherwise
 * @param segment which segment of a large run this execution runs; null otherwise
 */
public record PipelineInput(
    PipelineDefinition definition,
    Map<String, String> params,
    PipelineCarry carry,
    SegmentedTasks segmented,
    SegmentRef segment) {
  public PipelineInput {
    params = params == null ? Map.of() : Map.copyOf(params);
  }

  /** The input of a pipeline whose definition, tasks included, is in the input. */
  public PipelineInput(
      PipelineDefinition definition, Map<String, String> params, PipelineCarry carry) {
    this(definition, params, carry, null, null);
  }

  /**
   * The input of a run too large for one interpreter: {@code definition} without its tasks (its
   * name, namespace, parallelism, failure policy, timeout and defaults) and where the tasks are.
   */
  public static PipelineInput segmented(
      PipelineDefinition definition, Map<String, String> params, SegmentedTasks tasks) {
    return new PipelineInput(definition, params, null, tasks, null);
  }

  public static PipelineInput of(PipelineDefinition definition, Map<String, String> overrides) {
    var params = new LinkedHashMap<>(definition.spec().params());
    params.putAll(overrides);
    return new PipelineInput(definition, params, null);
  }
}
