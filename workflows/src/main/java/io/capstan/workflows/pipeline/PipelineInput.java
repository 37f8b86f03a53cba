package io.capstan.workflows.pipeline;

import io.capstan.definitions.PipelineDefinition;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The argument of {@link PipelineWorkflow}: the validated definition, the effective parameters (the
 * definition's, overridden at submit and, in a continued execution, by the {@code retryTask}
 * updates so far) and, after a continue-as-new, the state carried over.
 *
 * @param carry null on a run's first execution
 */
public record PipelineInput(
    PipelineDefinition definition, Map<String, String> params, PipelineCarry carry) {
  public PipelineInput {
    params = params == null ? Map.of() : Map.copyOf(params);
  }

  public static PipelineInput of(PipelineDefinition definition, Map<String, String> overrides) {
    var params = new LinkedHashMap<>(definition.spec().params());
    params.putAll(overrides);
    return new PipelineInput(definition, params, null);
  }
}
