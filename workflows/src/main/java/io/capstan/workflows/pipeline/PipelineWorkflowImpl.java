package io.capstan.workflows.pipeline;

import io.capstan.definitions.Templates;
import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.PipelineDefinition;
import io.capstan.definitions.pipeline.PipelineSpec;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.definitions.pipeline.TaskDefaults;
import io.capstan.definitions.pipeline.TaskSpec;
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
import io.temporal.workflow.WorkflowInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;

/**
 * Interprets a pipeline's DAG, one activity per task.
 *
 * <p><b>Scheduling.</b> A task becomes ready when all of its {@code dependsOn} succeeded; ready
 * tasks start in definition order, at most {@code parallelism} at a time, and only while the run is
 * neither paused, nor held by a failure ({@code onFailure: pause}), nor draining before a
 * continue-as-new. Templates are rendered just before a task starts, from the params and the
 * outputs of the tasks that already succeeded. A failed task's descendants become SKIPPED; with
 * {@code onFailure: stop} every task that has not started is SKIPPED too and the running ones are
 * left to finish. Every decision depends only on the history (task ends, signals, timers and the
 * history length), so replays take the same path.
 *
 * <p><b>Retry in place.</b> The {@code retryTask} update puts a FAILED task back to PENDING, with
 * every SKIPPED descendant whose dependencies can all still succeed; tasks that succeeded keep
 * their state and outputs and do not run again. Params given with the update override the run's for
 * every task rendered from then on. What may start afterwards follows {@code onFailure}:
 *
 * <ul>
 *   <li>{@code continue}: the reset tasks start at once, beside the branches still running.
 *   <li>{@code pause}: after a failure nothing new starts (running tasks finish) and the run
 *       reports {@link RunPhase#WAITING}; it goes on once no task is FAILED any more (every failed
 *       task was retried), while the {@code abort} signal makes it skip what has not started and
 *       fail as {@code stop} would. Abort is ignored by a run that does not wait.
 *   <li>{@code stop}: the run fails once its running tasks finish, so a retry must come before
 *       that. The reset tasks run even while another task is still FAILED; once none is, the stop
 *       is lifted and the tasks it skipped go back to PENDING as well.
 * </ul>
 *
 * <p>None of this needs state of its own across continue-as-new: FAILED and SKIPPED tasks are in
 * the carry (whether the run waits, or stops, follows from them), reset tasks are PENDING and so
 * left out of it, and the params in force become the next execution's params. An update is never in
 * flight across the boundary: the execution waits until every handler has finished.
 *
 * <p><b>Versions.</b> Waiting after a failure is behind {@code Workflow.getVersion("}{@value
 * #PAUSE_ON_FAILURE}{@code ")}, asked for the first time a task of a {@code pause} pipeline fails
 * (or an execution inherits such a failure): an execution that an older worker ran treated {@code
 * pause} as {@code continue} and replays that way. The update and the abort signal need no marker:
 * histories written before they existed contain neither (the older code refused every retry in its
 * validator, which leaves no event), and nothing else they touch changes for such histories.
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

  /** The {@code Workflow.getVersion} change id of waiting after a failure ({@code pause}). */
  static final String PAUSE_ON_FAILURE = "pause-on-failure";

  private static final int MAX_ERROR_IN_MESSAGE = 200;

  /** The most task names a refused retry lists. */
  private static final int MAX_NAMES_IN_MESSAGE = 10;

  private final Logger log = Workflow.getLogger(PipelineWorkflowImpl.class);

  private final Map<String, TaskState> tasks = new LinkedHashMap<>();
  private final Map<String, String> outputs = new HashMap<>();
  private final RunningTasks running = new RunningTasks();

  private List<TaskSpec> specs = List.of();
  private Map<String, Integer> index = Map.of();
  private List<List<Integer>> children = List.of();
  private int[] unmetDependencies = new int[0];
  private final TreeSet<Integer> ready = new TreeSet<>();

  /** The positions of the tasks that are FAILED now, in definition order. */
  private final TreeSet<Integer> failed = new TreeSet<>();

  private PipelineInput input;
  private PipelineSpec spec;

  /** The params in force: the run's, overridden by those of the retries so far. */
  private Map<String, String> params = Map.of();

  private String runId;
  private String namespace;
  private int parallelism;
  private int execution;
  private Instant deadline;

  private boolean paused;
  private RunDeadline runDeadline = RunDeadline.none();
  private boolean stopping;

  /** Set by signals and updates that the main loop must act on; cleared before it waits. */
  private boolean woken;

  /** An {@code abort} signal arrived and the main loop has not looked at it yet. */
  private boolean abortRequested;

  /** The run was aborted while it waited after a failure: it fails once its tasks have ended. */
  private boolean aborted;

  /**
   * Whether a failure makes this execution wait ({@code pause} at {@value #PAUSE_ON_FAILURE} 1).
   */
  private boolean waitOnFailure;

  private boolean waitOnFailureKnown;
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
      runDeadline = RunDeadline.arm(deadline, "run timeout");
      while (true) {
        takeEnded();
        if (runDeadline.reached()) {
          throw timeOut();
        }
        takeAbort();
        startReady();
        if (running.isEmpty()) {
          boolean waiting = waitingForRetry();
          if (!waiting && allFinal()) {
            break;
          }
          if (draining) {
            continueAsNew();
          }
          if (!waiting && !paused && ready.isEmpty()) {
            throw unreachable();
          }
        }
        woken = false;
        Workflow.await(() -> running.hasEnded() || runDeadline.reached() || woken);
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
    woken = true;
  }

  @Override
  public void abort() {
    // The main loop decides whether the run waits, so a signal delivered before the workflow
    // method ran (or together with the failure it answers) is judged on the settled state.
    abortRequested = true;
    woken = true;
  }

  @Override
  public void validateRetryTask(RetryTaskRequest request) {
    if (request == null || request.task() == null || request.task().isBlank()) {
      throw new IllegalArgumentException("name the task to retry");
    }
    String task = request.task();
    if (spec == null) {
      throw new IllegalArgumentException("the run is starting; retry '" + task + "' in a moment");
    }
    if (ending != null) {
      throw new IllegalArgumentException(
          "the run has ended ("
              + ending
              + "); a task can be retried only while its run is running or waits after a"
              + " failure");
    }
    if (closing != null) {
      throw new IllegalArgumentException("the run is closing (" + closing + "); it cannot retry");
    }
    if (aborted) {
      throw new IllegalArgumentException(
          "the run was aborted; it fails once its running tasks have finished");
    }
    Integer position = index.get(task);
    if (position == null) {
      throw new IllegalArgumentException(
          "unknown task '" + task + "': the pipeline's tasks are " + names(tasks.keySet()));
    }
    TaskPhase phase = tasks.get(task).state();
    if (phase != TaskPhase.FAILED) {
      String advice = "only a FAILED task can be retried";
      List<String> causes = failedAncestors(position);
      if (phase == TaskPhase.SKIPPED && !causes.isEmpty()) {
        advice += "; retrying " + names(causes) + " runs it again too";
      }
      throw new IllegalArgumentException(
          "task '" + task + "' is " + phase + ", not FAILED: " + advice);
    }
    for (String param : request.params().keySet()) {
      if (!params.containsKey(param)) {
        throw new IllegalArgumentException(
            "unknown param '"
                + param
                + "': "
                + (params.isEmpty()
                    ? "the run has no params"
                    : "the run's params are " + names(new TreeSet<>(params.keySet()))));
      }
    }
  }

  @Override
  public RetryTaskResult retryTask(RetryTaskRequest request) {
    // The validator accepted this update against the state it meets here (validators do not run
    // on replay, so this code relies on the recorded acceptance rather than checking again).
    int position = index.get(request.task());
    if (!request.params().isEmpty()) {
      Map<String, String> merged = new LinkedHashMap<>(params);
      merged.putAll(request.params());
      params = merged;
    }
    List<String> reset = reset(position);
    woken = true;
    log.info("task '{}' is retried in place; back to PENDING: {}", request.task(), reset);
    return new RetryTaskResult(request.task(), reset);
  }

  @Override
  public RunState status() {
    RunPhase phase;
    if (ending != null) {
      phase = ending;
    } else if (waitingForRetry()) {
      phase = RunPhase.WAITING;
    } else {
      phase = paused ? RunPhase.PAUSED : RunPhase.RUNNING;
    }
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
    params = input.params();
    runId = Workflow.getInfo().getWorkflowId();
    namespace = definition.metadata().namespace();
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
      } else if (state.state() == TaskPhase.FAILED) {
        failed.add(i);
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
    if (!failed.isEmpty()) {
      // A failure inherited from the previous execution still stops or holds this one.
      stopping = spec.onFailure() == OnFailure.STOP;
      if (spec.onFailure() == OnFailure.PAUSE) {
        resolveWaitOnFailure();
      }
    }
  }

  /**
   * Starts ready tasks up to the parallelism. After {@code onFailure: stop} only tasks reset by a
   * retry can be ready (the stop skipped every other pending task), so stopping needs no check.
   */
  private void startReady() {
    if (paused || draining || holding()) {
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
            runId,
            namespace,
            task.name(),
            task,
            retry,
            timeout,
            Templates.renderer(params, outputs)));
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
      if (state.state() == TaskPhase.FAILED) {
        failed.add(index.get(ended.task()));
      }
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
    } else if (spec.onFailure() == OnFailure.PAUSE) {
      resolveWaitOnFailure();
    }
  }

  /** Asks, once per execution, whether this execution waits after a failure. */
  private void resolveWaitOnFailure() {
    if (!waitOnFailureKnown) {
      waitOnFailureKnown = true;
      waitOnFailure = Workflow.getVersion(PAUSE_ON_FAILURE, Workflow.DEFAULT_VERSION, 1) >= 1;
    }
  }

  /** Whether a failure holds back every task not yet started ({@code onFailure: pause}). */
  private boolean holding() {
    return waitOnFailure && !failed.isEmpty();
  }

  /** Whether the run waits for a retry or an abort once its running tasks have ended. */
  private boolean waitingForRetry() {
    return holding() && !aborted;
  }

  /**
   * Acts on an {@code abort} signal: a run that waits after a failure skips every task not started
   * and fails once its running tasks have ended; any other run ignores it.
   */
  private void takeAbort() {
    if (!abortRequested) {
      return;
    }
    abortRequested = false;
    if (!waitingForRetry()) {
      log.info("abort ignored: the run does not wait after a failure");
      return;
    }
    aborted = true;
    String first = specs.get(failed.first()).name();
    dropPending(
        TaskPhase.SKIPPED, "skipped: the pipeline was aborted after '" + first + "' failed");
  }

  /**
   * Puts the FAILED task at {@code position} back to PENDING with every SKIPPED task that can run
   * again because of it, and returns their names in definition order. A SKIPPED task goes back when
   * none of its dependencies is FAILED, SKIPPED or CANCELED any more; after a stop that no FAILED
   * task holds any longer, that includes the tasks the stop skipped.
   */
  private List<String> reset(int position) {
    TreeSet<Integer> reset = new TreeSet<>();
    makePending(position, reset);
    ArrayDeque<Integer> candidates = new ArrayDeque<>();
    if (stopping && failed.isEmpty()) {
      stopping = false;
      for (int i = 0; i < specs.size(); i++) {
        if (tasks.get(specs.get(i).name()).state() == TaskPhase.SKIPPED) {
          candidates.add(i);
        }
      }
    } else {
      candidates.addAll(children.get(position));
    }
    // A task whose other dependency is reset later is visited again from that dependency.
    while (!candidates.isEmpty()) {
      int next = candidates.poll();
      if (tasks.get(specs.get(next).name()).state() == TaskPhase.SKIPPED
          && dependenciesCanSucceed(next)) {
        makePending(next, reset);
        candidates.addAll(children.get(next));
      }
    }
    List<String> names = new ArrayList<>();
    for (int i : reset) {
      TaskSpec task = specs.get(i);
      int unmet = 0;
      for (String dependency : task.dependsOn()) {
        if (tasks.get(dependency).state() != TaskPhase.SUCCEEDED) {
          unmet++;
        }
      }
      unmetDependencies[i] = unmet;
      if (unmet == 0) {
        ready.add(i);
      }
      names.add(task.name());
    }
    return names;
  }

  private void makePending(int position, Set<Integer> reset) {
    tasks.put(specs.get(position).name(), TaskState.pending());
    failed.remove(position);
    reset.add(position);
  }

  private boolean dependenciesCanSucceed(int position) {
    for (String dependency : specs.get(position).dependsOn()) {
      TaskPhase phase = tasks.get(dependency).state();
      if (phase == TaskPhase.FAILED || phase == TaskPhase.SKIPPED || phase == TaskPhase.CANCELED) {
        return false;
      }
    }
    return true;
  }

  /** The FAILED tasks {@code position} depends on, directly or not, in definition order. */
  private List<String> failedAncestors(int position) {
    TreeSet<Integer> found = new TreeSet<>();
    Set<Integer> seen = new HashSet<>();
    ArrayDeque<Integer> next = new ArrayDeque<>(List.of(position));
    while (!next.isEmpty()) {
      for (String dependency : specs.get(next.poll()).dependsOn()) {
        int parent = index.get(dependency);
        if (seen.add(parent)) {
          if (failed.contains(parent)) {
            found.add(parent);
          }
          next.add(parent);
        }
      }
    }
    List<String> names = new ArrayList<>();
    found.forEach(i -> names.add(specs.get(i).name()));
    return names;
  }

  /** {@code 'a', 'b' and 'c'}, or the first few and how many more. */
  private static String names(Collection<String> names) {
    List<String> quoted = new ArrayList<>();
    for (String name : names) {
      if (quoted.size() == MAX_NAMES_IN_MESSAGE) {
        break;
      }
      quoted.add("'" + name + "'");
    }
    int more = names.size() - quoted.size();
    if (more > 0) {
      return String.join(", ", quoted) + " and " + more + " more";
    }
    if (quoted.size() <= 1) {
      return String.join("", quoted);
    }
    return String.join(", ", quoted.subList(0, quoted.size() - 1))
        + " and "
        + quoted.get(quoted.size() - 1);
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
    // An update still running would be cut off by the new execution instead of landing in the
    // carry. The handlers here never block, so this waits only in principle.
    if (!Workflow.isEveryHandlerFinished()) {
      Workflow.await(Workflow::isEveryHandlerFinished);
    }
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
    Workflow.continueAsNew(new PipelineInput(input.definition(), params, carry));
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
