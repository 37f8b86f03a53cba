package io.capstan.workflows.job;

import io.capstan.workflows.run.RunState;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Runs a job's executor until it has the completions its strategy needs. Each completion shows in
 * the state as a task named {@code completion-N}.
 */
@WorkflowInterface
public interface JobWorkflow {
  String TYPE = "Job";

  @WorkflowMethod(name = TYPE)
  RunState run(JobInput input);

  @QueryMethod(name = RunState.QUERY)
  RunState status();

  /** One page of {@link #status()}: at most {@code limit} tasks from {@code offset}. */
  @QueryMethod(name = RunState.QUERY_PAGE)
  RunState statusPage(int offset, int limit);
}
