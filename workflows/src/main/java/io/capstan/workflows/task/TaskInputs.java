package io.capstan.workflows.task;

import io.capstan.definitions.Templates;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The values a task's templates are rendered with, sent with the attempt so the worker renders them
 * just before the task starts: the run's params (null when the workflow already rendered them), the
 * outputs kept in history, and the outputs kept in the store by reference, which the worker fetches
 * and checks against their digest. Only the outputs of the task's dependencies and of the tasks its
 * templates name are sent.
 *
 * @param params null for an attempt whose templates the workflow rendered (histories written before
 *     outputs went by reference); the worker then resolves only {@code references}
 */
public record TaskInputs(
    Map<String, String> params, Map<String, String> outputs, Map<String, OutputRef> references) {
  public TaskInputs {
    outputs = outputs == null ? Map.of() : outputs;
    references = references == null ? Map.of() : references;
  }

  /**
   * Renders templates with the params, the inline outputs and {@code fetched}: the stored outputs
   * the worker has read back, by task name.
   */
  public UnaryOperator<String> renderer(Map<String, String> fetched) {
    Map<String, String> all = new HashMap<>(outputs);
    all.putAll(fetched);
    return Templates.renderer(params == null ? Map.of() : params, all);
  }
}
