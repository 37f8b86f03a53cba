package io.capstan.workflows.pipeline;

import io.capstan.workflows.run.RunState;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

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

  @QueryMethod(name = RunState.QUERY)
  RunState status();
}
