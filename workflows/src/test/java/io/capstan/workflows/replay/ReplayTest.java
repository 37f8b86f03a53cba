package io.capstan.workflows.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.capstan.workflows.cluster.ClusterWorkflowImpl;
import io.capstan.workflows.gpu.GpuFleetWorkflowImpl;
import io.capstan.workflows.gpu.GpuTaskWorkflowImpl;
import io.capstan.workflows.job.JobWorkflowImpl;
import io.capstan.workflows.pipeline.PipelineInput;
import io.capstan.workflows.pipeline.PipelineWorkflowImpl;
import io.capstan.workflows.run.RunState;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPInputStream;
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
  @DisplayName("a pipeline of container tasks, one retried, on the infrastructure queue")
  void pipelineContainers() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/pipeline-containers.json", PipelineWorkflowImpl.class);
  }

  @Test
  @DisplayName("a rollout of ten nodes with maxSurge 2 / maxUnavailable 1, completed")
  void rolloutCompleted() throws Exception {
    WorkflowExecutionHistory history = gzipped("histories/rollout-completed.json.gz");
    WorkflowReplayer.replayWorkflowExecution(
        history, io.capstan.workflows.rollout.RollingUpdateWorkflowImpl.class);
  }

  @Test
  @DisplayName("a rollout whose drain was blocked by a PDB, answered with skip")
  void rolloutBlockedSkipped() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(
        gzipped("histories/rollout-blocked-skipped.json.gz"),
        io.capstan.workflows.rollout.RollingUpdateWorkflowImpl.class);
  }

  @Test
  @DisplayName("a rollout that failed on batch 2 and rolled back")
  void rolloutRolledBack() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(
        gzipped("histories/rollout-rolled-back.json.gz"),
        io.capstan.workflows.rollout.RollingUpdateWorkflowImpl.class);
  }

  @Test
  @DisplayName("a cluster created with two pools, scaled, then deleted")
  void clusterScaledAndDeleted() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/cluster-scaled-deleted.json", ClusterWorkflowImpl.class);
  }

  @Test
  @DisplayName(
      "the GPU fleet: hosts registered, leases granted and released, two devices quarantined, one"
          + " restored and one retired")
  void gpuFleetQuarantine() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/gpu-fleet-quarantine.json", GpuFleetWorkflowImpl.class);
  }

  @Test
  @DisplayName(
      "100 gpu tasks through the fleet: leases by signal, a host lost and its leases revoked, a bad"
          + " device quarantined and retired; the pipeline of the tasks; a task that moved host")
  void gpuTasksHostLost() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(
        gzipped("histories/gpu-fleet-host-lost.json.gz"), GpuFleetWorkflowImpl.class);
    // The tasks' child ids are made from the run's id: replay under the id it was recorded with.
    WorkflowExecutionHistory pipeline = gzipped("histories/pipeline-gpu-tasks.json.gz");
    WorkflowReplayer.replayWorkflowExecution(
        WorkflowExecutionHistory.fromJson(
            pipeline.toJson(false),
            pipeline
                .getEvents()
                .get(6)
                .getStartChildWorkflowExecutionInitiatedEventAttributes()
                .getWorkflowId()
                .split("/")[0]),
        PipelineWorkflowImpl.class);
    // A task's lease ids are made from its workflow id, which the grants in its history name.
    WorkflowReplayer.replayWorkflowExecution(
        WorkflowExecutionHistory.fromJson(
            resource("histories/gpu-task-host-lost.json"),
            "run-ec5cda1b-b73f-453b-a642-bfae5ab28cea/burn-17/gpu-60e26a5d"),
        GpuTaskWorkflowImpl.class);
  }

  @Test
  @DisplayName(
      "a cluster whose GPU node failed its burn-in, was cordoned and replaced, the replacement"
          + " validated; then canceled")
  void clusterGpuNodeReplaced() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/cluster-gpu-node-replaced.json", ClusterWorkflowImpl.class);
  }

  @Test
  @DisplayName("a cluster whose GPU pool never became Ready, undone in reverse")
  void clusterCreationUndone() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/cluster-creation-undone.json", ClusterWorkflowImpl.class);
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
  @DisplayName(
      "a pipeline whose outputs went by reference continued as new carrying the references, and a"
          + " task in the second execution was rendered from one carried and one of its own")
  void pipelineReferencesContinued() throws Exception {
    WorkflowExecutionHistory first = gzipped("histories/pipeline-references-continued-1.json.gz");
    WorkflowExecutionHistory second = gzipped("histories/pipeline-references-continued-2.json.gz");
    assertThat(first.getLastEvent().getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    String carried =
        first
            .getLastEvent()
            .getWorkflowExecutionContinuedAsNewEventAttributes()
            .getInput()
            .getPayloads(0)
            .getData()
            .toStringUtf8();
    assertThat(carried).contains("\"outputRef\":{\"key\":\"runs/fake/t0/");
    // The join is the last task to start.
    String joinInput =
        second.getEvents().stream()
            .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
            .map(HistoryEvent::getActivityTaskScheduledEventAttributes)
            .reduce((earlier, later) -> later)
            .orElseThrow()
            .getInput()
            .getPayloads(0)
            .getData()
            .toStringUtf8();
    assertThat(joinInput)
        .as("the join's attempt names both references for the worker to fetch")
        .contains("\"task\":\"join\"")
        .contains("\"references\":{\"t0\":{\"key\":\"runs/fake/t0/")
        .contains("\"t1399\":{\"key\":\"runs/fake/t1399/");

    WorkflowReplayer.replayWorkflowExecution(first, PipelineWorkflowImpl.class);
    WorkflowReplayer.replayWorkflowExecution(second, PipelineWorkflowImpl.class);
  }

  @Test
  @DisplayName(
      "a pipeline cut into three segments: outputs crossed them, a failure skipped its descendants"
          + " in later segments, and a pause was forwarded to the running segment")
  void pipelineSegmented() throws Exception {
    // The segments' workflow ids are the run's own with a suffix: the run replays under its id.
    WorkflowReplayer.replayWorkflowExecution(
        WorkflowExecutionHistory.fromJson(
            resource("histories/pipeline-segmented.json"), "pipeline-segmented"),
        PipelineWorkflowImpl.class);
    for (int k = 0; k < 3; k++) {
      WorkflowReplayer.replayWorkflowExecutionFromResource(
          "histories/pipeline-segmented-segment-" + k + ".json", PipelineWorkflowImpl.class);
    }
  }

  @Test
  @DisplayName(
      "a pipeline in segments whose first segment waited after a failure, held the run, and went"
          + " on after a retry on the segment")
  void pipelineSegmentedHeld() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(
        WorkflowExecutionHistory.fromJson(
            resource("histories/pipeline-segmented-held.json"), "pipeline-segmented-held"),
        PipelineWorkflowImpl.class);
    for (int k = 0; k < 2; k++) {
      WorkflowReplayer.replayWorkflowExecutionFromResource(
          "histories/pipeline-segmented-held-segment-" + k + ".json", PipelineWorkflowImpl.class);
    }
  }

  @Test
  @DisplayName("a pipeline that filled its history budget, continued as new, and finished")
  void pipelineContinuedAsNew() throws Exception {
    WorkflowExecutionHistory first = gzipped("histories/pipeline-continued-as-new-1.json.gz");
    WorkflowExecutionHistory second = gzipped("histories/pipeline-continued-as-new-2.json.gz");
    assertThat(first.getLastEvent().getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    assertThat(second.getLastEvent().getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);

    WorkflowReplayer.replayWorkflowExecution(first, PipelineWorkflowImpl.class);
    WorkflowReplayer.replayWorkflowExecution(second, PipelineWorkflowImpl.class);
  }

  @Test
  @DisplayName("a pipeline canceled while a task ran")
  void pipelineCanceled() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/pipeline-canceled.json", PipelineWorkflowImpl.class);
  }

  @Test
  @DisplayName("a pipeline that its whole-run timeout canceled in a retry backoff")
  void pipelineTimedOut() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/pipeline-timed-out.json", PipelineWorkflowImpl.class);
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

  @Test
  @DisplayName("a pipeline changed without Workflow.getVersion fails to replay")
  void changedPipelineDoesNotReplay() throws Exception {
    WorkflowExecutionHistory history =
        WorkflowExecutionHistory.fromJson(resource("histories/pipeline-failed.json"));

    Throwable failure =
        catchThrowable(
            () -> WorkflowReplayer.replayWorkflowExecution(history, TimerFirstPipeline.class));

    assertThat(failure).as("replaying a changed workflow").isNotNull();
    assertThat(nonDeterminism(failure))
        .as("the non-determinism behind %s", failure)
        .contains("does not match command type COMMAND_TYPE_START_TIMER");
  }

  /**
   * The message of the {@link NonDeterministicException} that made a replay fail. The replayer runs
   * its replay as a query and reports the query's failure as text in a {@code RuntimeException} of
   * its own, so the exception may be named only in a message, not be a cause.
   */
  private static String nonDeterminism(Throwable failure) {
    String name = NonDeterministicException.class.getName();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof NonDeterministicException) {
        return t.getMessage();
      }
      String message = t.getMessage();
      if (message != null && message.contains(name)) {
        return message.substring(message.indexOf(name));
      }
    }
    throw new AssertionError("not a non-determinism error", failure);
  }

  /**
   * The pipeline workflow with a change that was not put behind {@code Workflow.getVersion}: it
   * starts a timer before its first task, so its first command no longer matches the history's.
   */
  public static class TimerFirstPipeline extends PipelineWorkflowImpl {
    @Override
    public RunState run(PipelineInput input) {
      Workflow.sleep(Duration.ofSeconds(1));
      return super.run(input);
    }
  }

  private static WorkflowExecutionHistory gzipped(String resource) throws IOException {
    try (InputStream in = new GZIPInputStream(stream(resource))) {
      return WorkflowExecutionHistory.fromJson(
          new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static String resource(String resource) throws IOException {
    try (InputStream in = stream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static InputStream stream(String resource) {
    InputStream in = ReplayTest.class.getClassLoader().getResourceAsStream(resource);
    assertThat(in).as(resource).isNotNull();
    return in;
  }
}
