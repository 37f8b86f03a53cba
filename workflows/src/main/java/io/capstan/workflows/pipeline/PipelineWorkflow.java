package io.capstan.workflows.pipeline;

import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskState;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;
import java.util.Map;

/**
 * Runs a pipeline's DAG. Completes with the final state when every task succeeded; fails with type
 * {@code PipelineFailed} when a task failed for good; ends canceled when canceled.
 */
@WorkflowInterface
public interface PipelineWorkflow {
  String TYPE = "Pipeline";

  @WorkflowMethod(name = TYPE)
  RunState run(PipelineInput input);

  /** No new task starts until {@link #resume()}; running tasks go on. */
  @SignalMethod(name = "pause")
  void pause();

  @SignalMethod(name = "resume")
  void resume();

  /**
   * Gives up on a run that waits after a failure ({@code onFailure: pause}): it fails as it would
   * have with {@code stop}. On a run that does not wait, it is ignored.
   */
  @SignalMethod(name = "abort")
  void abort();

  /**
   * Runs a FAILED task again without rerunning the tasks that succeeded: the task and its SKIPPED
   * descendants go back to PENDING, with {@code params} (if any) overriding the run's params from
   * then on. Allowed while the run is running or waits after a failure.
   */
  @UpdateMethod(name = RetryTaskRequest.UPDATE)
  RetryTaskResult retryTask(RetryTaskRequest request);

  /**
   * Refuses, before anything is written to history, a retry of an unknown task or of one that is
   * not FAILED, params the run does not have, and any retry once the run was aborted or is closing.
   * The {@code IllegalArgumentException}'s message is what the caller reads.
   */
  @UpdateValidatorMethod(updateName = RetryTaskRequest.UPDATE)
  void validateRetryTask(RetryTaskRequest request);

  /**
   * Sent by a segment of a large run to the run's workflow: whether a failure holds the segment
   * ({@code onFailure: pause}), so that no other segment starts meanwhile. Capstan's own signal.
   */
  @SignalMethod(name = "segmentHeld")
  void segmentHeld(int segment, boolean held);

  /**
   * Sent by a large run's workflow to a segment: how many of its tasks may run at once, its share
   * of the run's parallelism. Capstan's own signal.
   */
  @SignalMethod(name = "parallelism")
  void parallelism(int parallelism);

  @QueryMethod(name = RunState.QUERY)
  RunState status();

  /** The states of the named tasks this execution knows (those it does not are left out). */
  @QueryMethod(name = "taskStates")
  Map<String, TaskState> taskStates(List<String> names);

  /** One page of {@link #status()}: at most {@code limit} tasks from {@code offset}. */
  @QueryMethod(name = RunState.QUERY_PAGE)
  RunState statusPage(int offset, int limit);
}
