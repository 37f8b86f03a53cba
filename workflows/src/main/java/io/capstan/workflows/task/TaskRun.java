package io.capstan.workflows.task;

import io.capstan.definitions.executor.Executor;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.definitions.executor.GpuSpec;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.gpu.GpuTaskWorkflow;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.ActivityStub;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * One task's executor in flight, started from workflow code. Each task runs in a cancellation scope
 * of its own, so a workflow can cancel one task (a job completion that lost the race) or all of
 * them (a run timeout), while canceling the workflow itself still reaches every task through the
 * scope tree.
 *
 * <p>Workflow code only: it calls {@link Workflow} APIs.
 */
public final class TaskRun {
  /**
   * The {@code Workflow.getVersion} change id of running {@code container} tasks as activities on
   * the infrastructure queue; before it, a container task failed at once as unsupported.
   */
  public static final String CONTAINER_EXECUTOR = "container-executor";

  /**
   * The {@code Workflow.getVersion} change id of running {@code gpu} tasks as {@link
   * GpuTaskWorkflow} children on leased devices; before it, a gpu task failed at once as
   * unsupported.
   */
  public static final String GPU_EXECUTOR = "gpu-executor";

  private final String task;
  private final CancellationScope scope;
  private final Promise<TaskResult> result;

  private TaskRun(String task, CancellationScope scope, Promise<TaskResult> result) {
    this.task = task;
    this.scope = scope;
    this.result = result;
  }

  /**
   * Renders the executor's templates with {@code render} and starts its activity.
   *
   * @param runId the workflow id, passed to the executor for its logs and retry decisions
   * @param namespace the run's namespace ({@code metadata.namespace}), which executors check their
   *     policies against
   * @param retry the task's retry spec with every field filled
   * @param timeout the per-attempt timeout, or null for {@link TaskOptions#DEFAULT_TIMEOUT}
   */
  public static TaskRun start(
      String runId,
      String namespace,
      String task,
      Executor executor,
      RetrySpec retry,
      Duration timeout,
      UnaryOperator<String> render) {
    return start(runId, namespace, task, executor, retry, timeout, render, null, null);
  }

  /**
   * Starts the executor's activity with {@code render} applied in the workflow (the identity when
   * the worker renders) and {@code inputs} sent along for the worker to render with and fetch
   * stored outputs from; {@code inputs} may be null. A {@code gpu} task runs on {@code gpuHost}
   * (its {@code sameHostAs}, resolved to the host the earlier task ran on); null for any host.
   */
  public static TaskRun start(
      String runId,
      String namespace,
      String task,
      Executor executor,
      RetrySpec retry,
      Duration timeout,
      UnaryOperator<String> render,
      TaskInputs inputs,
      String gpuHost) {
    RetrySpec effective = retry.orElse(RetrySpec.DEFAULT);
    TaskContext context = new TaskContext(runId, task, effective, namespace);
    // An untyped stub: a typed one would re-read the interface by reflection for every task,
    // which is a measurable share of a short task's cost in a long chain.
    ActivityStub activities =
        Workflow.newUntypedActivityStub(
            TaskOptions.activityOptions(task, effective, timeout, queueOf(executor)));
    int maxAttempts = TaskOptions.maxAttempts(effective);
    Duration perAttempt = TaskOptions.attemptTimeout(timeout);
    @SuppressWarnings("unchecked")
    Promise<TaskOutcome>[] outcome = new Promise[1];
    CancellationScope scope =
        Workflow.newCancellationScope(
            () ->
                outcome[0] =
                    call(activities, context, executor, render, inputs, gpuHost, perAttempt));
    scope.run();
    Promise<TaskResult> result =
        outcome[0].handle((done, failure) -> TaskResult.of(done, failure, maxAttempts, perAttempt));
    return new TaskRun(task, scope, result);
  }

  /**
   * A task that fails at once without reaching a worker, for {@code why}: an ending decided in the
   * workflow, as for an executor no worker serves.
   */
  public static TaskRun refused(String task, String type, String why) {
    CancellationScope scope = Workflow.newCancellationScope(() -> {});
    Promise<TaskResult> result =
        Workflow.newFailedPromise(ApplicationFailure.newNonRetryableFailure(why, type))
            .handle((done, failure) -> TaskResult.of(null, failure, 1, null));
    return new TaskRun(task, scope, result);
  }

  public String task() {
    return task;
  }

  /** Completes once the task has ended; never fails. */
  public Promise<TaskResult> result() {
    return result;
  }

  /** Asks the executor to stop; {@link #result()} then completes CANCELED once it has. */
  public void cancel(String reason) {
    scope.cancel(reason);
  }

  /**
   * The queue of the capability {@code executor} needs. An activity's queue is an option of its
   * ScheduleActivityTask command that replay does not compare (the recorded histories, scheduled on
   * the workflow's own queue, replay against this), so runs in flight simply send their next tasks
   * here; attempts they had already scheduled on the control plane's queue are served there by the
   * tasks role until none is left.
   */
  private static String queueOf(Executor executor) {
    try {
      return TaskQueues.forExecutor(executor.executorKind()).orElse(null);
    } catch (IllegalStateException noExecutor) {
      return null;
    }
  }

  private static Promise<TaskOutcome> call(
      ActivityStub activities,
      TaskContext context,
      Executor executor,
      UnaryOperator<String> render,
      TaskInputs inputs,
      String gpuHost,
      Duration perAttempt) {
    ExecutorKind kind;
    try {
      kind = executor.executorKind();
    } catch (IllegalStateException noExecutor) {
      return Workflow.newFailedPromise(
          ApplicationFailure.newNonRetryableFailure(
              "task '" + context.task() + "' has no executor block", TaskFailures.INVALID));
    }
    return switch (kind) {
      case SIMULATE ->
          activities.executeAsync(
              TaskActivities.SIMULATE,
              TaskOutcome.class,
              new SimulateRequest(context, executor.simulate().render(render), inputs));
      case SHELL ->
          activities.executeAsync(
              TaskActivities.SHELL,
              TaskOutcome.class,
              new ShellRequest(context, executor.shell().render(render), inputs));
      case CONTAINER ->
          Workflow.getVersion(CONTAINER_EXECUTOR, Workflow.DEFAULT_VERSION, 1) >= 1
              ? activities.executeAsync(
                  ContainerActivities.CONTAINER,
                  TaskOutcome.class,
                  new ContainerRequest(context, executor.container().render(render), inputs))
              : unsupported(kind);
      case GPU ->
          Workflow.getVersion(GPU_EXECUTOR, Workflow.DEFAULT_VERSION, 1) >= 1
              ? gpu(context, executor.gpu(), gpuHost, perAttempt)
              : unsupported(kind);
    };
  }

  /**
   * A gpu task as a child workflow: it leases devices for each attempt and releases them however
   * the attempt ends. Canceling the task waits until the child has released; a parent that is
   * terminated asks the child to cancel, so no lease outlives its run.
   */
  private static Promise<TaskOutcome> gpu(
      TaskContext context, GpuSpec gpu, String host, Duration perAttempt) {
    String id =
        context.runId()
            + "/"
            + context.task()
            + "/gpu-"
            + Workflow.randomUUID().toString().substring(0, 8);
    GpuTaskWorkflow child =
        Workflow.newChildWorkflowStub(
            GpuTaskWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setStaticSummary(TaskOptions.summary(context.task()))
                .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                .build());
    return Async.function(
        child::run, new GpuTaskWorkflow.GpuTaskInput(context, gpu, host, perAttempt));
  }

  private static Promise<TaskOutcome> unsupported(ExecutorKind kind) {
    return Workflow.newFailedPromise(
        ApplicationFailure.newNonRetryableFailure(
            "no worker serves " + kind.name().toLowerCase(Locale.ROOT) + " tasks yet",
            TaskResult.UNSUPPORTED));
  }
}
