package io.capstan.api.runs;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.api.validation.PlanView;
import io.capstan.definitions.Definition;
import io.capstan.definitions.executor.Executor;
import io.capstan.outputs.OutputStore;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How the API runs one kind of definition: the workflow it starts and the signals that workflow
 * takes, where its executors are (so intake can refuse one no worker serves), the summary and
 * details Temporal's Web UI shows, and the plan {@code validate} answers. Each kind implements this
 * in a package of its own and is registered by one constant of {@link RunKind}.
 *
 * @param <D> the kind's definition record
 */
public interface KindRuns<D extends Definition> {
  /**
   * An executor block inside a definition.
   *
   * @param path where it is, as problems name it: {@code spec.tasks[2]}
   * @param pointer the JSON pointer of the block's holder: {@code /spec/tasks/2}
   */
  record ExecutorBlock(String path, String pointer, Executor executor) {}

  /** The definition record this kind binds to. */
  Class<D> type();

  /** The Temporal workflow type a run of this kind is. */
  String workflowType();

  /**
   * The record a run of this kind answers its {@code status} query with and returns when it
   * completes. Pipelines and jobs answer the task-centric {@code RunState}, which the run detail
   * shows as {@code phase}, {@code progress} and {@code tasks}; any other record is shown as the
   * detail's {@code view}.
   */
  Class<?> statusType();

  /** The signals a run of this kind takes through {@code POST /runs/{id}/signals/{name}}. */
  List<String> signals();

  /**
   * The updates a run of this kind takes, by Temporal update name (pipelines: {@code retryTask}).
   */
  default List<String> updates() {
    return List.of();
  }

  /**
   * Reads the JSON body of update {@code name} into its argument, refusing a wrong shape with what
   * to write (an {@code UnprocessableException}); {@code status} asks the run for its status, for a
   * kind whose check depends on the run. By default the body goes as it is.
   */
  default Object updateArgument(String name, JsonNode body, Supplier<Object> status) {
    return body;
  }

  /** What update {@code name} answers. */
  default Class<?> updateResult(String name) {
    return Object.class;
  }

  /**
   * Whether a run of this kind is an entity: one per namespace and name (a Cluster), whose run id
   * is derived from them, so that submitting it again finds the running one; false for kinds of
   * which every submission is a new run.
   */
  default boolean entity() {
    return false;
  }

  /** Every executor block of {@code definition}, in document order. */
  List<ExecutorBlock> executors(D definition);

  /**
   * Starts {@code definition}'s workflow with {@code options} (id, queue, metadata); what is too
   * large for the workflow's input goes to {@code store}.
   */
  void start(
      WorkflowClient client,
      WorkflowOptions options,
      D definition,
      Map<String, String> params,
      OutputStore store);

  /**
   * What of {@code definition} the run's input carries (its size is checked before it starts): all
   * of it, unless {@link #start} stores part of it.
   */
  default Definition input(D definition) {
    return definition;
  }

  /** The shape after the name in a run's one-line summary, e.g. {@code 4 tasks, parallelism 4}. */
  String shape(D definition);

  /** The markdown the Web UI shows as a run's details. */
  String details(D definition);

  /** How {@code definition} will run, for {@code POST /api/v1/validate}. */
  PlanView plan(D definition);

  /** Whether this definition is a schedule of runs rather than a run (a Job with a schedule). */
  default boolean scheduled(D definition) {
    return false;
  }
}
