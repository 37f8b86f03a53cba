package io.capstan.workflows.job;

import io.capstan.definitions.Templates;
import io.capstan.definitions.job.CompletionStrategy;
import io.capstan.definitions.job.JobParallelism;
import io.capstan.definitions.job.JobSpec;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.workflows.pipeline.PayloadBudget;
import io.capstan.workflows.run.Progress;
import io.capstan.workflows.run.RunDeadline;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.capstan.workflows.task.RunningTasks;
import io.capstan.workflows.task.TaskOptions;
import io.capstan.workflows.task.TaskResult;
import io.capstan.workflows.task.TaskRun;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Runs a job's one executor until its completion strategy is met or can no longer be.
 *
 * <p>Each completion is a task of its own ({@code completion-1..N}, or {@code main} for a job of
 * one completion) with the job's {@code restartPolicy} as its Temporal retry policy. At most {@code
 * maxConcurrent} completions run at once. {@code AllSuccessful} needs every completion to succeed:
 * the first that fails for good cancels the others and fails the job. {@code AnySuccessful} needs
 * one: the first success cancels the others, and the job fails only when every completion has
 * failed. Completions that were never started because the outcome was already decided are SKIPPED.
 *
 * <p><b>Timeout.</b> {@code timeout} bounds the whole job, every completion and every retry, as
 * Kubernetes' {@code activeDeadlineSeconds} bounds a Job: when a workflow timer reaches it, the
 * running completions are canceled (so their processes stop), the rest are SKIPPED, and the job
 * fails with {@value #TIMED_OUT}. Each attempt's start-to-close timeout is the job's plus {@link
 * #ATTEMPT_GRACE}: only a backstop for a worker that vanished, it must never race the deadline,
 * whose cancellation is what stops the work and says why. A server-side execution timeout would end
 * the run without canceling its work. Histories recorded before the deadline existed replay without
 * it ({@value #DEADLINE_CHANGE}).
 *
 * <p>{@code schedule} is not this workflow's business: a schedule starts one run of this workflow
 * per tick. Containers and GPUs have no worker yet; the API refuses such jobs, and should one
 * arrive anyway its completions fail at once, non-retryably, saying so.
 *
 * <p>History: a completion costs about six events, so jobs of up to about 1,500 completions stay
 * under Temporal's 10,240-event warning without continue-as-new.
 */
public class JobWorkflowImpl implements JobWorkflow {
  /** Failure type of a job whose completion strategy can no longer be met. */
  public static final String FAILED = "JobFailed";

  /** Failure type of a job that outlived its {@code timeout}. */
  public static final String TIMED_OUT = "JobTimedOut";

  /** The {@code Workflow.getVersion} change id of the whole-job deadline. */
  static final String DEADLINE_CHANGE = "job-deadline";

  /** How much longer than the job's deadline an attempt's own start-to-close timeout is. */
  static final Duration ATTEMPT_GRACE = Duration.ofSeconds(30);

  /** The task name of a job's only completion. */
  public static final String SINGLE_TASK = "main";

  private final Map<String, TaskState> tasks = new LinkedHashMap<>();
  private final RunningTasks running = new RunningTasks();
  private RunPhase ending;

  @Override
  public RunState run(JobInput input) {
    JobSpec spec = input.definition().spec();
    JobParallelism parallelism = spec.parallelism();
    int completions = Math.max(1, parallelism.completions());
    int maxConcurrent = Math.max(1, Math.min(parallelism.maxConcurrent(), completions));
    boolean anySuccessful = parallelism.completionStrategy() == CompletionStrategy.AnySuccessful;
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= completions; i++) {
      String name = completions == 1 ? SINGLE_TASK : "completion-" + i;
      names.add(name);
      tasks.put(name, TaskState.pending());
    }
    RetrySpec retry = spec.restartPolicy().asRetry();
    UnaryOperator<String> render = Templates.renderer(input.params(), Map.of());
    String runId = Workflow.getInfo().getWorkflowId();
    String namespace = input.definition().metadata().namespace();

    boolean timed =
        spec.timeout() != null
            && !spec.timeout().isZero()
            && Workflow.getVersion(DEADLINE_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    RunDeadline deadline =
        timed ? RunDeadline.arm(now().plus(spec.timeout()), "job timeout") : RunDeadline.none();

    Duration attemptTimeout = timed ? spec.timeout().plus(ATTEMPT_GRACE) : spec.timeout();
    int next = 0;
    int succeeded = 0;
    int failed = 0;
    try {
      while (true) {
        RunningTasks.Ended ended;
        while ((ended = running.poll()) != null) {
          TaskState state = ended.result().applyTo(tasks.get(ended.task()), now());
          tasks.put(ended.task(), state);
          if (state.state() == TaskPhase.SUCCEEDED) {
            succeeded++;
            if (anySuccessful) {
              close(
                  "canceled: " + ended.task() + " succeeded first",
                  TaskPhase.SKIPPED,
                  "not needed: " + ended.task() + " succeeded");
              return done();
            }
          } else {
            failed++;
            if (!anySuccessful || failed == completions) {
              String why = ended.task() + " failed";
              close("canceled: " + why, TaskPhase.SKIPPED, "skipped: " + why);
              throw jobFailed(ended.task(), state, anySuccessful, completions);
            }
          }
        }
        if (succeeded == completions) {
          return done();
        }
        // Checked after the ends are taken: a completion that ended in the same moment counts.
        if (deadline.reached()) {
          String why = "job timed out after " + TaskOptions.describe(spec.timeout());
          close("canceled: " + why, TaskPhase.SKIPPED, "skipped: " + why);
          ending = RunPhase.FAILED;
          throw ApplicationFailure.newNonRetryableFailure(why, TIMED_OUT);
        }
        while (next < completions && running.size() < maxConcurrent) {
          String name = names.get(next++);
          tasks.put(name, new TaskState(TaskPhase.RUNNING, 1, null, null, now(), null, null));
          running.add(TaskRun.start(runId, namespace, name, spec, retry, attemptTimeout, render));
        }
        Workflow.await(() -> running.hasEnded() || deadline.reached());
      }
    } catch (CanceledFailure canceled) {
      // Waiting for the executors to confirm happens in a detached scope: the workflow's own scope
      // is canceled, and the completions' cancellation requests already went out through it.
      Workflow.newDetachedCancellationScope(
              () ->
                  close("canceled: run canceled", TaskPhase.CANCELED, "not started: run canceled"))
          .run();
      ending = RunPhase.CANCELED;
      throw canceled;
    }
  }

  @Override
  public RunState statusPage(int offset, int limit) {
    return status().page(offset, limit);
  }

  @Override
  public RunState status() {
    RunPhase phase = ending != null ? ending : RunPhase.RUNNING;
    int done = 0;
    for (TaskState state : tasks.values()) {
      if (state.state().isFinal()) {
        done++;
      }
    }
    return new RunState(
        phase,
        new Progress(done, tasks.size()),
        Collections.unmodifiableMap(new LinkedHashMap<>(tasks)));
  }

  /**
   * Cancels the completions still running and waits for them to end; those that end CANCELED say
   * {@code canceledWhy}, and completions never started become {@code droppedPhase} saying {@code
   * droppedWhy}.
   */
  private void close(String canceledWhy, TaskPhase droppedPhase, String droppedWhy) {
    running.cancelAll(canceledWhy);
    while (!running.isEmpty()) {
      running.awaitEnded();
      RunningTasks.Ended ended;
      while ((ended = running.poll()) != null) {
        TaskResult result = ended.result();
        if (result.phase() == TaskPhase.CANCELED) {
          result = TaskResult.canceled(canceledWhy);
        }
        tasks.put(ended.task(), result.applyTo(tasks.get(ended.task()), now()));
      }
    }
    for (Map.Entry<String, TaskState> entry : tasks.entrySet()) {
      if (entry.getValue().state() == TaskPhase.PENDING) {
        entry.setValue(new TaskState(droppedPhase, 0, null, droppedWhy, null, now(), null));
      }
    }
  }

  private RunState done() {
    ending = RunPhase.SUCCEEDED;
    // A result too large for Temporal carries the progress only; the status query has the rest.
    return PayloadBudget.result(status());
  }

  private ApplicationFailure jobFailed(
      String task, TaskState state, boolean anySuccessful, int completions) {
    ending = RunPhase.FAILED;
    String error = state.error() == null ? "unknown error" : state.error();
    String message =
        anySuccessful && completions > 1
            ? "all " + completions + " completions failed; the last, " + task + ": " + error
            : task + " failed: " + error;
    return ApplicationFailure.newNonRetryableFailure(message, FAILED, task);
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
