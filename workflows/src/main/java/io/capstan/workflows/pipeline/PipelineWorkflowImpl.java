package io.capstan.workflows.pipeline;

import io.capstan.definitions.Templates;
import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.PipelineDefinition;
import io.capstan.definitions.pipeline.PipelineSpec;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.definitions.pipeline.TaskDefaults;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workflows.run.Progress;
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
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;

/**
 * Interprets a pipeline's DAG, one activity per task.
 *
 * <p><b>Scheduling.</b> A task becomes ready when all of its {@code dependsOn} succeeded; ready
 * tasks start in definition order, at most {@code parallelism} at a time, and only while the run is
 * neither paused nor stopping. Templates are rendered just before a task starts, from the params
 * and the outputs of the tasks that already succeeded. A failed task's descendants become SKIPPED;
 * with {@code onFailure: stop} every task that has not started is SKIPPED too and the running ones
 * are left to finish. Every decision depends only on the history (task ends, signals, timers and
 * the history length), so replays take the same path.
 *
 * <p><b>Bounded history: continue-as-new rather than child workflows.</b> A task costs an execution
 * about three activity events plus, at worst, one workflow task (three events) of its own. Before
 * starting a task the interpreter checks that the history can absorb the worst case for every task
 * in flight plus the new one ({@value #EVENTS_PER_TASK} events each) under {@value
 * #HISTORY_EVENT_LIMIT} with {@value #HISTORY_RESERVE} events to spare (signals, the deadline
 * timer, the final command); it also honours the server's continue-as-new suggestion (made at 4,096
 * events or 4 MiB by default, and likewise by the test server) once this execution has finished a
 * task. When either says stop, it starts nothing more, lets the tasks in flight finish, and
 * continues as new with a {@link PipelineCarry}: the states and outputs of the tasks that left
 * PENDING, the paused flag, the execution count and the run's deadline. Continue-as-new keeps one
 * workflow id, one status query and one signal target for the whole run, which sharding into child
 * workflows would not (a DAG's edges cross any shard boundary, so children would have to exchange
 * outputs); the price is a short drain of in-flight tasks at each boundary. A very wide pipeline
 * (parallelism beyond about 1,400) runs with fewer tasks at once than it asks for near a boundary,
 * never with more history.
 *
 * <p><b>Run timeout.</b> Enforced here, not by a workflow execution timeout: a timer fires at the
 * deadline (fixed by the first execution and carried across continue-as-new), running tasks are
 * canceled and reported CANCELED, tasks not started are CANCELED too, and the run fails with type
 * {@value #TIMED_OUT}. A server-side execution timeout would end the run without canceling its
 * tasks or recording their state.
 *
 * <p><b>Cancellation.</b> Canceling the workflow cancels every running task (each task's scope is a
 * child of the workflow's); once the executors confirm, the tasks are CANCELED, those not started
 * are CANCELED, and the run ends canceled.
 */
public class PipelineWorkflowImpl implements PipelineWorkflow {
  /** The history length no execution may reach: Temporal's warning threshold. */
  static final int HISTORY_EVENT_LIMIT = 10_240;

  /** Worst-case events a task in flight still adds: scheduled, started, closed, a workflow task. */
  static final int EVENTS_PER_TASK = 7;

  /** Events kept free for signals, the deadline timer and the command that ends the execution. */
  static final int HISTORY_RESERVE = 500;

  /** Failure type of a run in which a task failed for good. */
  public static final String FAILED = "PipelineFailed";

  /** Failure type of a run that outlived its {@code timeout}. */
  public static final String TIMED_OUT = "PipelineTimedOut";

  /** Failure type of a definition the interpreter cannot run (it would have failed validation). */
  public static final String INVALID = "InvalidPipeline";

  private static final int MAX_ERROR_IN_MESSAGE = 200;

  private final Logger log = Workflow.getLogger(PipelineWorkflowImpl.class);

  private final Map<String, TaskState> tasks = new LinkedHashMap<>();
  private final Map<String, String> outputs = new HashMap<>();
  private final RunningTasks running = new RunningTasks();

  private List<TaskSpec> specs = List.of();
  private Map<String, Integer> index = Map.of();
  private List<List<Integer>> children = List.of();
  private int[] unmetDependencies = new int[0];
  private final TreeSet<Integer> ready = new TreeSet<>();

  private PipelineInput input;
  private PipelineSpec spec;
  private String runId;
  private int parallelism;
  private int execution;
  private Instant deadline;

  private boolean paused;
  private boolean resumed;
  private boolean deadlineReached;
  private boolean stopping;
  private boolean draining;
  private int endedThisExecution;

  /** Set once the run is over, for the status query. */
  private RunPhase ending;

  /** Why tasks that end or are dropped while the run closes are CANCELED; null while it runs. */
  private String closing;

  @Override
  public RunState run(PipelineInput input) {
    init(input);
    try {
      armDeadline();
      while (true) {
        takeEnded();
        if (deadlineReached) {
          throw timeOut();
        }
        startReady();
        if (running.isEmpty()) {
          if (allFinal()) {
            break;
          }
          if (draining) {
            continueAsNew();
          }
          if (!paused && ready.isEmpty()) {
            throw unreachable();
          }
        }
        resumed = false;
        Workflow.await(() -> running.hasEnded() || deadlineReached || resumed);
      }
    } catch (CanceledFailure canceled) {
      closeCanceled();
      throw canceled;
    }
    return finish();
  }

  @Override
  public void pause() {
    paused = true;
  }

  @Override
  public void resume() {
    paused = false;
    resumed = true;
  }

  // Placeholders so the tree compiles while retry-in-place is written (issue 3).
  @Override
  public void abort() {}

  @Override
  public RetryTaskResult retryTask(RetryTaskRequest request) {
    throw ApplicationFailure.newNonRetryableFailure("retryTask is being built", "NotYet");
  }

  @Override
  public void validateRetryTask(RetryTaskRequest request) {
    throw new IllegalArgumentException("retryTask is being built");
  }

  @Override
  public RunState status() {
    RunPhase phase = ending != null ? ending : paused ? RunPhase.PAUSED : RunPhase.RUNNING;
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

  private void init(PipelineInput input) {
    this.input = input;
    PipelineDefinition definition = input.definition();
    spec = definition.spec();
    runId = Workflow.getInfo().getWorkflowId();
    parallelism = Math.max(1, spec.parallelism());
    specs = spec.tasks();
    PipelineCarry carry = input.carry();
    execution = carry == null ? 1 : carry.executions() + 1;
    // A pause signal may have been delivered before the workflow method ran.
    paused = paused || (carry != null && carry.paused());
    if (carry != null) {
      deadline = carry.deadline();
    } else if (spec.timeout() != null && !spec.timeout().isZero()) {
      deadline = now().plus(spec.timeout());
    }

    Map<String, Integer> positions = new HashMap<>();
    for (int i = 0; i < specs.size(); i++) {
      positions.put(specs.get(i).name(), i);
    }
    index = positions;
    List<List<Integer>> dependents = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      dependents.add(new ArrayList<>());
    }
    unmetDependencies = new int[specs.size()];
    for (int i = 0; i < specs.size(); i++) {
      TaskSpec task = specs.get(i);
      TaskState carried = carry == null ? null : carry.tasks().get(task.name());
      // A carry holds no task in flight (the execution drained first); should one appear anyway,
      // running it again is the only way to learn its outcome.
      boolean carriedUsable = carried != null && carried.state().isFinal();
      TaskState state = carriedUsable ? carried : TaskState.pending();
      tasks.put(task.name(), state);
      if (state.state() == TaskPhase.SUCCEEDED) {
        outputs.put(task.name(), state.output() == null ? "" : state.output());
      }
      for (String dependency : task.dependsOn()) {
        Integer parent = positions.get(dependency);
        if (parent == null) {
          throw ApplicationFailure.newNonRetryableFailure(
              "task '" + task.name() + "' depends on unknown task '" + dependency + "'", INVALID);
        }
        dependents.get(parent).add(i);
      }
    }
    children = dependents;
    for (int i = 0; i < specs.size(); i++) {
      for (String dependency : specs.get(i).dependsOn()) {
        if (tasks.get(dependency).state() != TaskPhase.SUCCEEDED) {
          unmetDependencies[i]++;
        }
      }
      if (unmetDependencies[i] == 0
          && tasks.get(specs.get(i).name()).state() == TaskPhase.PENDING) {
        ready.add(i);
      }
    }
  }

  private void armDeadline() {
    if (deadline == null) {
      return;
    }
    long left = deadline.toEpochMilli() - Workflow.currentTimeMillis();
    if (left <= 0) {
      deadlineReached = true;
      return;
    }
    Workflow.newTimer(
            Duration.ofMillis(left), TimerOptions.newBuilder().setSummary("run timeout").build())
        .thenApply(
            fired -> {
              deadlineReached = true;
              return null;
            });
  }

  private void startReady() {
    if (paused || stopping || draining) {
      return;
    }
    while (!ready.isEmpty() && running.size() < parallelism) {
      if (historyFull()) {
        draining = true;
        log.info(
            "execution {} drains {} running task(s) before continuing as new",
            execution,
            running.size());
        return;
      }
      start(ready.pollFirst());
    }
  }

  private boolean historyFull() {
    WorkflowInfo info = Workflow.getInfo();
    if (endedThisExecution > 0 && info.isContinueAsNewSuggested()) {
      return true;
    }
    long worstCase =
        info.getHistoryLength() + (long) EVENTS_PER_TASK * (running.size() + 1) + HISTORY_RESERVE;
    return worstCase > HISTORY_EVENT_LIMIT;
  }

  private void start(int position) {
    TaskSpec task = specs.get(position);
    TaskDefaults defaults = spec.defaults();
    RetrySpec retry =
        task.retry() != null ? task.retry().orElse(defaults.retry()) : defaults.retry();
    retry = retry == null ? RetrySpec.DEFAULT : retry.orElse(RetrySpec.DEFAULT);
    Duration timeout = task.timeout() != null ? task.timeout() : defaults.timeout();
    tasks.put(task.name(), new TaskState(TaskPhase.RUNNING, 1, null, null, now(), null, null));
    running.add(
        TaskRun.start(
            runId, task.name(), task, retry, timeout, Templates.renderer(input.params(), outputs)));
  }

  private void takeEnded() {
    RunningTasks.Ended ended;
    while ((ended = running.poll()) != null) {
      endedThisExecution++;
      TaskResult result = ended.result();
      if (closing != null && result.phase() == TaskPhase.CANCELED) {
        result = TaskResult.canceled("canceled: " + closing);
      }
      TaskState state = result.applyTo(tasks.get(ended.task()), now());
      tasks.put(ended.task(), state);
      if (state.state() == TaskPhase.SUCCEEDED) {
        succeeded(ended.task(), state.output());
      } else if (closing == null) {
        failed(ended.task());
      }
    }
  }

  private void succeeded(String task, String output) {
    outputs.put(task, output == null ? "" : output);
    for (int child : children.get(index.get(task))) {
      unmetDependencies[child]--;
      if (unmetDependencies[child] == 0
          && tasks.get(specs.get(child).name()).state() == TaskPhase.PENDING) {
        ready.add(child);
      }
    }
  }

  private void failed(String task) {
    ArrayDeque<Integer> descendants = new ArrayDeque<>(children.get(index.get(task)));
    while (!descendants.isEmpty()) {
      int next = descendants.poll();
      String name = specs.get(next).name();
      if (tasks.get(name).state() == TaskPhase.PENDING) {
        drop(next, TaskPhase.SKIPPED, "skipped: ancestor '" + task + "' failed");
        descendants.addAll(children.get(next));
      }
    }
    if (spec.onFailure() == OnFailure.STOP && !stopping) {
      stopping = true;
      dropPending(
          TaskPhase.SKIPPED,
          "skipped: the pipeline stopped after '" + task + "' failed (onFailure: stop)");
    }
  }

  private void drop(int position, TaskPhase phase, String why) {
    ready.remove(position);
    tasks.put(specs.get(position).name(), new TaskState(phase, 0, null, why, null, now(), null));
  }

  private void dropPending(TaskPhase phase, String why) {
    for (int i = 0; i < specs.size(); i++) {
      if (tasks.get(specs.get(i).name()).state() == TaskPhase.PENDING) {
        drop(i, phase, why);
      }
    }
  }

  private boolean allFinal() {
    for (TaskState state : tasks.values()) {
      if (!state.state().isFinal()) {
        return false;
      }
    }
    return true;
  }

  /** Cancels the running tasks, waits until each has ended, and cancels what never started. */
  private void close(String why) {
    closing = why;
    running.cancelAll(why);
    while (!running.isEmpty()) {
      running.awaitEnded();
      takeEnded();
    }
    dropPending(TaskPhase.CANCELED, "not started: " + why);
  }

  private ApplicationFailure timeOut() {
    String why = "pipeline timed out after " + TaskOptions.describe(spec.timeout());
    close(why);
    ending = RunPhase.FAILED;
    return ApplicationFailure.newNonRetryableFailure(why, TIMED_OUT);
  }

  private void closeCanceled() {
    // The workflow's own scope is canceled now, so waiting for the executors to confirm happens
    // in a detached scope; their cancellation requests already went out through the scope tree.
    Workflow.newDetachedCancellationScope(() -> close("run canceled")).run();
    ending = RunPhase.CANCELED;
  }

  private ApplicationFailure unreachable() {
    // Validation rejects cycles; should one slip through, its tasks can never become ready.
    dropPending(TaskPhase.SKIPPED, "skipped: its dependencies can never succeed (a cycle?)");
    ending = RunPhase.FAILED;
    return ApplicationFailure.newNonRetryableFailure(
        "tasks wait on one another in a cycle and can never start", INVALID);
  }

  private RunState finish() {
    List<String> failed = new ArrayList<>();
    StringBuilder message = new StringBuilder();
    for (Map.Entry<String, TaskState> entry : tasks.entrySet()) {
      TaskState state = entry.getValue();
      if (state.state() == TaskPhase.FAILED || state.state() == TaskPhase.CANCELED) {
        failed.add(entry.getKey());
        message.append(message.length() == 0 ? "" : "; ");
        message.append('\'').append(entry.getKey()).append("': ").append(shorten(state.error()));
      }
    }
    if (!failed.isEmpty()) {
      ending = RunPhase.FAILED;
      String head = failed.size() == 1 ? "task failed: " : failed.size() + " tasks failed: ";
      throw ApplicationFailure.newNonRetryableFailure(head + message, FAILED, failed);
    }
    ending = RunPhase.SUCCEEDED;
    return status();
  }

  private void continueAsNew() {
    log.info(
        "execution {} continues as new after {} task(s) ended (history length {})",
        execution,
        endedThisExecution,
        Workflow.getInfo().getHistoryLength());
    // Tasks not yet started are left out: the next execution starts from PENDING for any task the
    // carry does not name, and the carry is the next execution's input, which Temporal limits.
    Map<String, TaskState> ended = new LinkedHashMap<>();
    tasks.forEach(
        (name, state) -> {
          if (state.state() != TaskPhase.PENDING) {
            ended.put(name, state);
          }
        });
    PipelineCarry carry = new PipelineCarry(ended, paused, execution, deadline);
    Workflow.continueAsNew(new PipelineInput(input.definition(), input.params(), carry));
  }

  private static String shorten(String error) {
    if (error == null) {
      return "unknown error";
    }
    return error.length() <= MAX_ERROR_IN_MESSAGE
        ? error
        : error.substring(0, MAX_ERROR_IN_MESSAGE) + "…";
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
