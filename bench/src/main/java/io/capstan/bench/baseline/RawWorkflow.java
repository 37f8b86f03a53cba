package io.capstan.bench.baseline;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The baseline written directly against the SDK: {@code tasks} activities, at most {@code
 * parallelism} at once; parallelism 1 makes a chain where each activity gets its predecessor's
 * output, as a Capstan chain does.
 */
@WorkflowInterface
public interface RawWorkflow {
  @WorkflowMethod(name = "RawBaseline")
  int run(int tasks, int parallelism);
}
