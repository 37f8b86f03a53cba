package io.capstan.workflows.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capstan.workflows.job.JobInput;
import io.capstan.workflows.job.JobWorkflow;
import io.capstan.workflows.pipeline.PipelineInput;
import io.capstan.workflows.pipeline.PipelineWorkflow;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskPhase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Starting runs against the test server and reading how they ended. */
public final class Runs {
  /** How long a test waits for a run to reach a state; the test server skips workflow time. */
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private Runs() {}

  /**
   * A time-skipping test environment per test with both workflows on a control-plane queue and
   * {@code activities} on the tasks queue.
   */
  public static TaskQueueEnvironment extension(Object activities) {
    return new TaskQueueEnvironment(activities);
  }

  public static PipelineWorkflow startPipeline(
      WorkflowClient client, WorkflowOptions options, PipelineInput input) {
    PipelineWorkflow stub = client.newWorkflowStub(PipelineWorkflow.class, options);
    WorkflowClient.start(stub::run, input);
    return stub;
  }

  public static JobWorkflow startJob(
      WorkflowClient client, WorkflowOptions options, JobInput input) {
    JobWorkflow stub = client.newWorkflowStub(JobWorkflow.class, options);
    WorkflowClient.start(stub::run, input);
    return stub;
  }

  /** Waits for the run to complete and returns its final state. */
  public static RunState result(Object stub) {
    return WorkflowStub.fromTyped(stub).getResult(RunState.class);
  }

  /** Waits for the run to fail and returns the failure it failed with. */
  public static ApplicationFailure failure(Object stub) {
    WorkflowFailedException failed =
        catchThrowableOfType(WorkflowFailedException.class, () -> result(stub));
    assertThat(failed).as("the run should fail").isNotNull();
    assertThat(failed.getCause()).isInstanceOf(ApplicationFailure.class);
    return (ApplicationFailure) failed.getCause();
  }

  /** Polls {@code status} until {@code task} is in {@code phase}. */
  public static void awaitTask(Supplier<RunState> status, String task, TaskPhase phase)
      throws InterruptedException {
    awaitState(
        status,
        state -> state.tasks().containsKey(task) && state.tasks().get(task).state() == phase,
        "task " + task + " did not become " + phase + " within " + PATIENCE.toSeconds() + "s");
  }

  /** Polls {@code status} until the run reports {@code phase}. */
  public static RunState awaitPhase(Supplier<RunState> status, RunPhase phase)
      throws InterruptedException {
    return awaitState(
        status,
        state -> state.phase() == phase,
        "the run did not become " + phase + " within " + PATIENCE.toSeconds() + "s");
  }

  /**
   * The first state that {@code status} returns and {@code reached} accepts; an AssertionError
   * saying {@code failure} when none does within {@link #PATIENCE}.
   */
  private static RunState awaitState(
      Supplier<RunState> status, Predicate<RunState> reached, String failure) {
    try {
      return Awaitility.await(failure)
          .atMost(PATIENCE)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(20))
          .until(status::get, reached);
    } catch (ConditionTimeoutException timedOut) {
      throw new AssertionError(failure, timedOut);
    }
  }
}
