package io.capstan.workflows.replay;

import io.capstan.workflows.job.JobWorkflowImpl;
import io.capstan.workflows.pipeline.PipelineWorkflowImpl;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Replays recorded histories against the current workflow code: a change that would make runs in
 * flight take another path fails here, and belongs behind {@code Workflow.getVersion}. The
 * histories are recorded by {@link RecordHistories}.
 */
@DisplayName("Recorded histories replay against the current workflows")
class ReplayTest {

  @Test
  @DisplayName("a pipeline that retried, was paused and resumed, and succeeded")
  void pipelineSucceeded() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/pipeline-succeeded.json", PipelineWorkflowImpl.class);
  }

  @Test
  @DisplayName("a pipeline that failed and skipped a failed task's descendants")
  void pipelineFailed() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/pipeline-failed.json", PipelineWorkflowImpl.class);
  }

  @Test
  @DisplayName("a pipeline that waited after a failure and finished after a retryTask update")
  void pipelineRetried() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/pipeline-retried.json", PipelineWorkflowImpl.class);
  }

  @Test
  @DisplayName("a job whose first success canceled the other completions")
  void jobAnySuccessful() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/job-any-successful.json", JobWorkflowImpl.class);
  }

  @Test
  @DisplayName("a job that its whole-job timeout canceled in a restart backoff")
  void jobTimedOut() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/job-timed-out.json", JobWorkflowImpl.class);
  }
}
