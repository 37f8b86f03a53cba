package io.capstan.workflows.pipeline;

import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.Templates;
import io.capstan.definitions.pipeline.OnFailure;
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
import io.capstan.workflows.task.OutputRef;
import io.capstan.workflows.task.RunningTasks;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskInputs;
import io.capstan.workflows.task.TaskOptions;
import io.capstan.workflows.task.TaskResult;
import io.capstan.workflows.task.TaskRun;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;

/**
 * Interprets a pipeline's DAG, one activity per task: the loop, the timers, the signal and update
 * handlers and continue-as-new around a {@link DagState} (what is ready, what a failure skips, what
 * a retry resets) and a {@link HistoryBudget} (when to continue as new).
 *
 * <p><b>Scheduling.</b> A task becomes ready when all of its {@code dependsOn} succeeded; ready
 * tasks start in definition order, at most {@code parallelism} at a time, and only while the run is
 * neither paused, nor held by a failure ({@code onFailure: pause}), nor draining before a
 * continue-as-new. Templates are rendered just before a task starts, from the params and the
 * outputs of the tasks that already succeeded, by the worker that runs it ({@value
 * #OUTPUTS_BY_REFERENCE}): an output too large for history is in the output store and history holds
 * only its {@link OutputRef}, so the worker fetches it, checks its digest and substitutes it.
 * Rendering in the workflow could not do that without pulling the bytes into history. A failed
 * task's descendants become SKIPPED; with {@code onFailure: stop} every task that has not started
 * is SKIPPED too and the running ones are left to finish. Every decision depends only on the
 * history (task ends, signals, timers and the history length), so replays take the same path.
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
 * <p><b>Large runs.</b> A run of more tasks than one segment holds comes with {@link
 * PipelineInput#segmented()} set: {@link SegmentedRun} then runs it as segments, each a child
 * workflow of this interpreter ({@link PipelineInput#segment()}) over about 1,000 of its tasks,
 * which reads its tasks and what it needs of earlier segments itself. Such a segment runs its tasks
 * under the run's id, tells the run when a failure holds it, and takes its share of the run's
 * parallelism by signal. What follows holds for a whole pipeline and for each segment.
 *
 * <p><b>Bounded history: continue-as-new within a segment.</b> Before starting a task the
 * interpreter asks its {@link HistoryBudget} whether the history can absorb the worst case of every
 * task in flight plus the new one, and whether the server suggests continuing as new. When either
 * says stop, it starts nothing more, lets the tasks in flight finish, and continues as new with a
 * {@link PipelineCarry}: the states and outputs of the tasks that left PENDING, the paused flag,
 * the execution count and the run's deadline. Continue-as-new keeps one workflow id, one status
 * query and one signal target for the whole run, which sharding into child workflows would not (a
 * DAG's edges cross any shard boundary, so children would have to exchange outputs); the price is a
 * short drain of in-flight tasks at each boundary. Beyond 1,000 tasks that price and the carry's
 * size grow with the run, hence segments, which exchange outputs through the segment activities. A
 * very wide pipeline (parallelism beyond about 1,400) runs with fewer tasks at once than it asks
 * for near a boundary, never with more history.
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
  /** Failure type of a run in which a task failed for good. */
  public static final String FAILED = "PipelineFailed";

  /** Failure type of a run that outlived its {@code timeout}. */
  public static final String TIMED_OUT = "PipelineTimedOut";

  /** Failure type of a definition the interpreter cannot run (it would have failed validation). */
  public static final String INVALID = "InvalidPipeline";

  /** The {@code Workflow.getVersion} change id of waiting after a failure ({@code pause}). */
  static final String PAUSE_ON_FAILURE = "pause-on-failure";

  /**
   * The {@code Workflow.getVersion} change id of rendering templates on the worker, which fetches
   * outputs kept by reference just before the task starts.
   */
  static final String OUTPUTS_BY_REFERENCE = "outputs-by-reference";

  /** The {@code Workflow.getVersion} change id of bounding one workflow task's activity inputs. */
  static final String BOUNDED_WORKFLOW_TASK = "bounded-workflow-task";

  /**
   * The {@code Workflow.getVersion} change id of failing a run whose carry Temporal would refuse.
   */
  static final String CARRY_SIZE_CHECK = "carry-size-check";

  /**
   * The {@code Workflow.getVersion} change id of failing a task whose inputs Temporal would refuse.
   */
  static final String TASK_INPUT_CHECK = "task-input-check";

  /** Failure type of a run whose state cannot cross continue-as-new within Temporal's limits. */
  public static final String STATE_TOO_LARGE = "PipelineStateTooLarge";

  private static final int MAX_ERROR_IN_MESSAGE = 200;

  /** The most task names a refused retry lists. */
  private static final int MAX_NAMES_IN_MESSAGE = 10;

  private final Logger log = Workflow.getLogger(PipelineWorkflowImpl.class);

  private final RunningTasks running = new RunningTasks();
  private final HistoryBudget budget = new HistoryBudget();

  /** An empty DAG until the workflow method has read its definition. */
  private DagState dag = new DagState(List.of(), OnFailure.STOP, null);

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

  /** Whether workers render this execution's templates; null until its first task starts. */
  private Boolean workerRenders;

  /**
   * Activity input bytes scheduled in the workflow task that began at {@link #scheduledAtLength}.
   */
  private long scheduledBytes;

  private long scheduledAtLength = -1;

  /** Whether this execution bounds a workflow task's bytes; null until a task first reaches it. */
  private Boolean boundedWorkflowTask;

  /** Set when startReady stopped at the byte bound: the loop then waits for a new workflow task. */
  private boolean yieldWorkflowTask;

  private boolean draining;

  /** The run's workflow when its tasks are cut into segments; null otherwise. */
  private SegmentedRun segmented;

  /** Which segment of a larger run this execution runs; null for a whole pipeline. */
  private SegmentRef segment;

  /** The last share of the run's parallelism its {@code parallelism} signal gave; 0 for none. */
  private int signaledParallelism;

  /** Whether this segment last told its run that a failure holds it. */
  private boolean sentHeld;

  /** Set once the run is over, for the status query. */
  private RunPhase ending;

  /** Why tasks that end or are dropped while the run closes are CANCELED; null while it runs. */
  private String closing;

  @Override
  public RunState run(PipelineInput input) {
    if (input.segmented() != null) {
      return runSegmented(input);
    }
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
        tellRunIfHeld();
        if (running.isEmpty()) {
          boolean waiting = waitingForRetry();
          if (!waiting && dag.allFinal()) {
            break;
          }
          if (draining) {
            continueAsNew();
          }
          if (!waiting && !paused && !dag.hasReady()) {
            throw unreachable();
          }
        }
        woken = false;
        if (yieldWorkflowTask) {
          yieldWorkflowTask = false;
          Workflow.sleep(Duration.ofMillis(1));
          continue;
        }
        Workflow.await(() -> running.hasEnded() || runDeadline.reached() || woken);
      }
    } catch (CanceledFailure canceled) {
      closeCanceled();
      throw canceled;
    }
    return finish();
  }

  /**
   * A run too large for one interpreter: {@link SegmentedRun} runs its segments as child workflows
   * of this interpreter, and this workflow's handlers answer for it.
   */
  private RunState runSegmented(PipelineInput input) {
    this.input = input;
    spec = input.definition().spec();
    params = input.params();
    Instant at =
        spec.timeout() != null && !spec.timeout().isZero() ? now().plus(spec.timeout()) : null;
    segmented = new SegmentedRun(input, at);
    // Signals delivered before the workflow method ran.
    if (paused) {
      segmented.pause();
    }
    if (abortRequested) {
      segmented.abort();
    }
    return segmented.run();
  }

  @Override
  public void pause() {
    paused = true;
    if (segmented != null) {
      segmented.pause();
    }
  }

  @Override
  public void resume() {
    paused = false;
    woken = true;
    if (segmented != null) {
      segmented.resume();
    }
  }

  @Override
  public void segmentHeld(int index, boolean held) {
    if (segmented != null) {
      segmented.segmentHeld(index, held);
    }
  }

  @Override
  public void parallelism(int value) {
    if (value <= 0) {
      return;
    }
    // Kept when it comes before the workflow method has read its input; only a segment uses it.
    signaledParallelism = value;
    if (segment != null) {
      parallelism = value;
      woken = true;
    }
  }

  @Override
  public Map<String, TaskState> taskStates(List<String> names) {
    Map<String, TaskState> states = new LinkedHashMap<>();
    for (String name : names == null ? List.<String>of() : names) {
      TaskState state = dag.contains(name) ? dag.state(name) : null;
      if (state != null) {
        states.put(name, state);
      }
    }
    return states;
  }

  @Override
  public void abort() {
    if (segmented != null) {
      segmented.abort();
      return;
    }
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
    if (segmented != null || (input != null && input.segmented() != null)) {
      throw new IllegalArgumentException(
          "this run is cut into segments: retry '"
              + task
              + "' on the workflow of the segment that holds it (capstan retry and the API's"
              + " retry route find it)");
    }
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
    if (!dag.contains(task)) {
      throw new IllegalArgumentException(
          "unknown task '" + task + "': the pipeline's tasks are " + names(dag.tasks().keySet()));
    }
    TaskPhase phase = dag.state(task).state();
    if (phase != TaskPhase.FAILED) {
      String advice = "only a FAILED task can be retried";
      List<String> causes = dag.failedAncestors(task);
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
    if (!request.params().isEmpty()) {
      Map<String, String> merged = new LinkedHashMap<>(params);
      merged.putAll(request.params());
      params = merged;
    }
    List<String> reset = dag.retry(request.task());
    woken = true;
    log.info("task '{}' is retried in place; back to PENDING: {}", request.task(), reset);
    return new RetryTaskResult(request.task(), reset);
  }

  @Override
  public RunState statusPage(int offset, int limit) {
    return status().page(offset, limit);
  }

  @Override
  public RunState status() {
    if (segmented != null) {
      return segmented.status();
    }
    RunPhase phase;
    if (ending != null) {
      phase = ending;
    } else if (waitingForRetry()) {
      phase = RunPhase.WAITING;
    } else {
      phase = paused ? RunPhase.PAUSED : RunPhase.RUNNING;
    }
    Map<String, TaskState> tasks = dag.tasks();
    return new RunState(
        phase,
        new Progress(dag.finalCount(), tasks.size()),
        Collections.unmodifiableMap(new LinkedHashMap<>(tasks)));
  }

  private void init(PipelineInput input) {
    this.input = input;
    PipelineDefinition definition = input.definition();
    SegmentWork work = null;
    segment = input.segment();
    if (segment != null) {
      // A segment reads its own tasks, and what it needs of earlier segments, before it starts.
      work =
          Workflow.newActivityStub(
                  PipelineSegmentActivities.class, PipelineSegmentActivities.options())
              .prepare(segment);
      definition = work.definition();
    }
    spec = definition.spec();
    params = input.params();
    runId = segment != null ? segment.parentId() : Workflow.getInfo().getWorkflowId();
    namespace = definition.metadata().namespace();
    parallelism =
        Math.max(
            1,
            segment == null
                ? spec.parallelism()
                : signaledParallelism > 0 ? signaledParallelism : segment.parallelism());
    PipelineCarry carry = input.carry();
    execution = carry == null ? 1 : carry.executions() + 1;
    // A pause signal may have been delivered before the workflow method ran.
    paused = paused || (carry != null && carry.paused());
    if (carry != null) {
      deadline = carry.deadline();
    } else if (spec.timeout() != null && !spec.timeout().isZero()) {
      deadline = now().plus(spec.timeout());
    }
    try {
      if (work == null) {
        dag = new DagState(spec.tasks(), spec.onFailure(), carry == null ? null : carry.tasks());
      } else {
        Map<String, TaskState> carried =
            new LinkedHashMap<>(carry == null ? Map.of() : carry.tasks());
        Instant at = now();
        work.blocked()
            .forEach(
                (name, why) ->
                    carried.putIfAbsent(
                        name, new TaskState(TaskPhase.SKIPPED, 0, null, why, null, at, null)));
        dag =
            new DagState(
                spec.tasks(), spec.onFailure(), carried, work.externals(), work.blocked().keySet());
      }
    } catch (IllegalArgumentException unknownDependency) {
      throw ApplicationFailure.newNonRetryableFailure(unknownDependency.getMessage(), INVALID);
    }
    if (dag.hasFailed() && spec.onFailure() == OnFailure.PAUSE) {
      // A failure inherited from the previous execution still holds this one.
      resolveWaitOnFailure();
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
    while (dag.hasReady() && running.size() < parallelism) {
      if (workflowTaskFull()) {
        // The rest start in the next workflow task, which a one-millisecond timer brings about.
        yieldWorkflowTask = true;
        return;
      }
      if (historyFull()) {
        draining = true;
        log.info(
            "execution {} drains {} running task(s) before continuing as new",
            execution,
            running.size());
        return;
      }
      start(dag.startNext(now()));
    }
  }

  private boolean historyFull() {
    WorkflowInfo info = Workflow.getInfo();
    return budget.full(info.getHistoryLength(), info.isContinueAsNewSuggested(), running.size());
  }

  private void start(TaskSpec task) {
    TaskDefaults defaults = spec.defaults();
    RetrySpec retry =
        task.retry() != null ? task.retry().orElse(defaults.retry()) : defaults.retry();
    retry = retry == null ? RetrySpec.DEFAULT : retry.orElse(RetrySpec.DEFAULT);
    Duration timeout = task.timeout() != null ? task.timeout() : defaults.timeout();
    boolean workerRenders = workerRenders();
    TaskInputs inputs = inputsOf(task, workerRenders);
    if (workerRenders) {
      int bytes = PayloadBudget.plainBytes(task) + PayloadBudget.plainBytes(inputs);
      if (bytes > PayloadBudget.TASK_INPUT_LIMIT
          && Workflow.getVersion(TASK_INPUT_CHECK, Workflow.DEFAULT_VERSION, 1) >= 1) {
        // Temporal would refuse the activity's input, and the workflow task would fail again and
        // again: the task fails instead, saying why.
        running.add(
            TaskRun.refused(
                task.name(),
                TaskFailures.INPUTS_TOO_LARGE,
                "the values its templates name come to "
                    + PayloadBudget.mib(bytes)
                    + ", over the "
                    + PayloadBudget.mib(PayloadBudget.TASK_INPUT_LIMIT)
                    + " a task's attempt may carry: name fewer outputs in its templates (each"
                    + " output over 4 KiB costs little) or pass fewer or shorter params"));
        return;
      }
      scheduledBytes += bytes;
    }
    running.add(
        TaskRun.start(
            runId,
            namespace,
            task.name(),
            task,
            retry,
            timeout,
            workerRenders ? UnaryOperator.identity() : Templates.renderer(params, dag.outputs()),
            inputs,
            gpuHost(task)));
  }

  /** The host a gpu task's {@code sameHostAs} names: where that ancestor ran; null for any. */
  private String gpuHost(TaskSpec task) {
    if (task.gpu() == null
        || task.gpu().affinity() == null
        || task.gpu().affinity().sameHostAs() == null) {
      return null;
    }
    TaskState earlier = dag.state(task.gpu().affinity().sameHostAs());
    return earlier == null ? null : earlier.host();
  }

  /**
   * Whether this workflow task has scheduled as much activity input as one completion should carry
   * ({@link PayloadBudget#WORKFLOW_TASK_INPUT_LIMIT}); the count starts again with each workflow
   * task, which the history length tells apart. Asked for the first time when the limit is reached:
   * histories written before ({@value #BOUNDED_WORKFLOW_TASK} absent) never yielded.
   */
  private boolean workflowTaskFull() {
    long length = Workflow.getInfo().getHistoryLength();
    if (length != scheduledAtLength) {
      scheduledAtLength = length;
      scheduledBytes = 0;
    }
    if (scheduledBytes < PayloadBudget.WORKFLOW_TASK_INPUT_LIMIT) {
      return false;
    }
    if (boundedWorkflowTask == null) {
      boundedWorkflowTask =
          Workflow.getVersion(BOUNDED_WORKFLOW_TASK, Workflow.DEFAULT_VERSION, 1) >= 1;
    }
    return boundedWorkflowTask;
  }

  /**
   * Whether this execution leaves template rendering to the worker ({@value #OUTPUTS_BY_REFERENCE}
   * 1), asked once, before its first task starts.
   */
  private boolean workerRenders() {
    if (workerRenders == null) {
      workerRenders = Workflow.getVersion(OUTPUTS_BY_REFERENCE, Workflow.DEFAULT_VERSION, 1) >= 1;
    }
    return workerRenders;
  }

  /**
   * What the worker renders {@code task}'s templates with: the params its templates name and the
   * outputs of its dependencies and of every task its templates name, inline or by reference. An
   * execution that renders in the workflow sends only the references (null when there are none),
   * which its rendering left in place.
   */
  private TaskInputs inputsOf(TaskSpec task, boolean workerRenders) {
    TaskReferences named = TaskReferences.of(task);
    Set<String> paramNames = named.params();
    Map<String, String> outputs = new TreeMap<>();
    Map<String, OutputRef> references = new TreeMap<>();
    for (String name : named.outputs()) {
      OutputRef reference = dag.references().get(name);
      if (reference != null) {
        references.put(name, reference);
      } else if (workerRenders && dag.outputs().containsKey(name)) {
        outputs.put(name, dag.outputs().get(name));
      }
    }
    if (!workerRenders) {
      return references.isEmpty() ? null : new TaskInputs(null, Map.of(), references);
    }
    Map<String, String> used = new TreeMap<>();
    for (String name : paramNames) {
      if (params.containsKey(name)) {
        used.put(name, params.get(name));
      }
    }
    return new TaskInputs(used, outputs, references);
  }

  private void takeEnded() {
    RunningTasks.Ended ended;
    while ((ended = running.poll()) != null) {
      budget.taskEnded();
      TaskResult result = ended.result();
      if (closing != null && result.phase() == TaskPhase.CANCELED) {
        result = TaskResult.canceled("canceled: " + closing);
      }
      Instant at = now();
      TaskState state = result.applyTo(dag.state(ended.task()), at);
      dag.ended(ended.task(), state);
      if (state.state() != TaskPhase.SUCCEEDED && closing == null) {
        dag.skipAfter(ended.task(), at);
        if (spec.onFailure() == OnFailure.PAUSE) {
          resolveWaitOnFailure();
        }
      }
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
    return waitOnFailure && dag.hasFailed();
  }

  /**
   * Tells the run, when this is one of its segments, whether a failure holds it: the run then
   * starts no other segment ({@code onFailure: pause} holds the whole run).
   */
  private void tellRunIfHeld() {
    boolean held = waitingForRetry();
    if (segment == null || held == sentHeld) {
      return;
    }
    sentHeld = held;
    PipelineWorkflow run = Workflow.newExternalWorkflowStub(PipelineWorkflow.class, runId);
    Async.procedure(run::segmentHeld, segment.index(), held);
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
    dag.dropPending(
        TaskPhase.SKIPPED,
        "skipped: the pipeline was aborted after '" + dag.firstFailed() + "' failed",
        now());
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

  /** Cancels the running tasks, waits until each has ended, and cancels what never started. */
  private void close(String why) {
    closing = why;
    running.cancelAll(why);
    while (!running.isEmpty()) {
      running.awaitEnded();
      takeEnded();
    }
    dag.dropPending(TaskPhase.CANCELED, "not started: " + why, now());
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
    dag.dropPending(
        TaskPhase.SKIPPED, "skipped: its dependencies can never succeed (a cycle?)", now());
    ending = RunPhase.FAILED;
    return ApplicationFailure.newNonRetryableFailure(
        "tasks wait on one another in a cycle and can never start", INVALID);
  }

  private RunState finish() {
    List<String> failed = new ArrayList<>();
    StringBuilder message = new StringBuilder();
    for (Map.Entry<String, TaskState> entry : dag.tasks().entrySet()) {
      TaskState state = entry.getValue();
      if (state.state() == TaskPhase.FAILED || state.state() == TaskPhase.CANCELED) {
        failed.add(entry.getKey());
        // The message names the first few; the details list them all.
        if (failed.size() <= MAX_NAMES_IN_MESSAGE) {
          message.append(message.length() == 0 ? "" : "; ");
          message.append('\'').append(entry.getKey()).append("': ").append(shorten(state.error()));
        }
      }
    }
    if (!failed.isEmpty()) {
      ending = RunPhase.FAILED;
      String head = failed.size() == 1 ? "task failed: " : failed.size() + " tasks failed: ";
      if (failed.size() > MAX_NAMES_IN_MESSAGE) {
        message.append("; and ").append(failed.size() - MAX_NAMES_IN_MESSAGE).append(" more");
      }
      throw ApplicationFailure.newNonRetryableFailure(head + message, FAILED, failed);
    }
    ending = RunPhase.SUCCEEDED;
    if (segment != null) {
      // The run's history holds every segment's result: its tasks are asked of the segment.
      return new RunState(ending, new Progress(dag.finalCount(), dag.tasks().size()), Map.of());
    }
    return PayloadBudget.result(status());
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
        budget.tasksEnded(),
        Workflow.getInfo().getHistoryLength());
    // Tasks not yet started are left out: the next execution starts from PENDING for any task the
    // carry does not name, and the carry is the next execution's input, which Temporal limits.
    PipelineCarry carry = new PipelineCarry(dag.leftPending(), paused, execution, deadline);
    PipelineInput next =
        segment != null
            ? new PipelineInput(null, params, carry, null, segment.withParallelism(parallelism))
            : new PipelineInput(input.definition(), params, carry);
    int bytes = PayloadBudget.encodedBytes(next);
    if (bytes > PayloadBudget.CARRY_LIMIT
        && Workflow.getVersion(CARRY_SIZE_CHECK, Workflow.DEFAULT_VERSION, 1) >= 1) {
      // Temporal would refuse the command, and the workflow task would fail again and again.
      String why =
          "the run's state is "
              + PayloadBudget.mib(bytes)
              + " after "
              + dag.finalCount()
              + " of "
              + dag.tasks().size()
              + " tasks, over the "
              + PayloadBudget.mib(PayloadBudget.CARRY_LIMIT)
              + " Temporal can carry into the next execution: fewer tasks per pipeline, or shorter"
              + " outputs and errors (an output over 4 KiB goes to the output store and costs"
              + " little)";
      dag.dropPending(TaskPhase.CANCELED, "not started: " + why, now());
      ending = RunPhase.FAILED;
      throw ApplicationFailure.newNonRetryableFailure(why, STATE_TOO_LARGE);
    }
    Workflow.continueAsNew(next);
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
