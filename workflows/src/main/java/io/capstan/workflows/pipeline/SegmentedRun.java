package io.capstan.workflows.pipeline;

import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.PipelineSpec;
import io.capstan.workflows.run.Progress;
import io.capstan.workflows.run.RunDeadline;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.SegmentStatus;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.task.TaskOptions;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;

/**
 * The workflow of a pipeline too large for one interpreter: it holds the plan of segments, never a
 * task, and runs each segment as a child workflow ({@code RUN/segment-K}) of the same interpreter.
 *
 * <p><b>Why segments.</b> One interpreter carries the state of every task across continue-as-new,
 * in one payload Temporal limits to 2 MiB, and drains its running tasks at each boundary, so one
 * long task stops every branch. Here the run's own history grows by a few events per segment (about
 * 1,000 tasks each), its input and state by a few hundred bytes per segment, and a segment that has
 * to continue as new (rare: its history fits a segment) holds only its own tasks.
 *
 * <p><b>Scheduling.</b> A segment starts once every segment it depends on has ended, at most
 * {@value #MAX_RUNNING_SEGMENTS} at a time, oldest first. The run's {@code parallelism} is shared:
 * each running segment may run {@code parallelism / running segments} tasks at once, sent to it by
 * the {@code parallelism} signal whenever the number running changes. Pause and resume are
 * forwarded to the running segments and hold back new ones; abort is forwarded.
 *
 * <p><b>Failures.</b> A segment fails when one of its tasks failed for good. With {@code onFailure:
 * continue} the later segments still start, and their tasks below a failed task are SKIPPED from
 * the start (see {@link SegmentInputs}). With {@code stop}, no segment starts any more: those left
 * are SKIPPED once the running ones end. With {@code pause}, a segment that waits after a failure
 * tells the run ({@code segmentHeld}), which then starts nothing new and reports WAITING until the
 * segment goes on (the failed task was retried, on the segment's workflow) or is aborted. The run
 * fails naming the failed tasks of every failed segment.
 *
 * <p><b>Timeout and cancellation</b> end the running segments (canceled, they cancel their tasks)
 * and cancel the segments not started, as the interpreter does with its tasks.
 */
final class SegmentedRun {
  /** How many segments run at once. */
  static final int MAX_RUNNING_SEGMENTS = 4;

  /** The most task names a failed run's details list. */
  private static final int MAX_FAILED_NAMES = 1000;

  /** The most segment errors a failed run's message repeats. */
  private static final int MAX_ERRORS_IN_MESSAGE = 3;

  private final Logger log = Workflow.getLogger(SegmentedRun.class);

  private final PipelineInput input;
  private final PipelineSpec spec;
  private final String runId;
  private final int parallelism;
  private final Instant deadline;
  private final PipelineSegmentActivities activities =
      Workflow.newActivityStub(
          PipelineSegmentActivities.class, PipelineSegmentActivities.options());

  private final List<Slot> slots = new ArrayList<>();
  private final TreeSet<Integer> held = new TreeSet<>();

  private boolean paused;
  private boolean woken;
  private boolean abortRequested;

  /** No segment starts any more: one failed under {@code stop}, or the run was aborted. */
  private boolean stopped;

  private RunPhase ending;

  /** One segment and its child workflow. */
  private static final class Slot {
    final Segment segment;
    TaskPhase phase = TaskPhase.PENDING;
    PipelineWorkflow child;
    CancellationScope scope;
    Promise<RunState> result;
    Promise<WorkflowExecution> started;
    boolean sentPaused;
    int sentParallelism;
    int done;
    String error;
    List<String> failedTasks = List.of();

    Slot(Segment segment) {
      this.segment = segment;
    }
  }

  SegmentedRun(PipelineInput input, Instant deadline) {
    this.input = input;
    this.spec = input.definition().spec();
    this.runId = Workflow.getInfo().getWorkflowId();
    this.parallelism = Math.max(1, spec.parallelism());
    this.deadline = deadline;
  }

  RunState run() {
    RunDeadline runDeadline = RunDeadline.arm(deadline, "run timeout");
    try {
      SegmentPlan plan = activities.plan(runId, input.segmented());
      plan.segments().forEach(segment -> slots.add(new Slot(segment)));
      log.info("{} tasks in {} segments", input.segmented().tasks(), slots.size());
      while (true) {
        takeEnded();
        if (runDeadline.reached()) {
          throw timeOut();
        }
        takeAbort();
        startRunnable();
        forward();
        if (running() == 0 && (stopped || allEnded())) {
          break;
        }
        woken = false;
        Workflow.await(() -> woken || runDeadline.reached() || childChanged());
      }
    } catch (CanceledFailure canceled) {
      Workflow.newDetachedCancellationScope(() -> close(TaskPhase.CANCELED)).run();
      ending = RunPhase.CANCELED;
      throw canceled;
    }
    return finish();
  }

  void pause() {
    paused = true;
    woken = true;
  }

  void resume() {
    paused = false;
    woken = true;
  }

  void abort() {
    abortRequested = true;
    woken = true;
  }

  void segmentHeld(int segment, boolean isHeld) {
    // A segment that has ended holds nothing, whichever of its signal and its end came first.
    boolean running =
        segment >= 0 && segment < slots.size() && slots.get(segment).phase == TaskPhase.RUNNING;
    if (isHeld && running) {
      held.add(segment);
    } else {
      held.remove(segment);
    }
    woken = true;
  }

  RunState status() {
    RunPhase phase;
    if (ending != null) {
      phase = ending;
    } else if (!held.isEmpty()) {
      phase = RunPhase.WAITING;
    } else {
      phase = paused ? RunPhase.PAUSED : RunPhase.RUNNING;
    }
    int done = 0;
    List<SegmentStatus> segments = new ArrayList<>();
    for (Slot slot : slots) {
      done += slot.done;
      boolean waits = slot.phase == TaskPhase.RUNNING && held.contains(slot.segment.index());
      segments.add(
          new SegmentStatus(
              slot.segment.index(),
              childId(slot.segment.index()),
              slot.phase,
              new Progress(slot.done, slot.segment.tasks()),
              slot.segment.dependsOn(),
              waits ? "a task failed; the segment waits for a retry or an abort" : slot.error,
              slot.segment.key(),
              slot.segment.sha256()));
    }
    return new RunState(
        phase, new Progress(done, input.segmented().tasks()), Map.of(), List.copyOf(segments));
  }

  /** The workflow id of segment {@code index}: the run's id and the segment's number. */
  String childId(int index) {
    return SegmentRef.workflowId(runId, index);
  }

  private int running() {
    int count = 0;
    for (Slot slot : slots) {
      if (slot.phase == TaskPhase.RUNNING) {
        count++;
      }
    }
    return count;
  }

  private boolean allEnded() {
    for (Slot slot : slots) {
      if (!slot.phase.isFinal()) {
        return false;
      }
    }
    return true;
  }

  /** Whether a running segment has ended or started since the loop last looked. */
  private boolean childChanged() {
    for (Slot slot : slots) {
      if (slot.phase != TaskPhase.RUNNING) {
        continue;
      }
      if (slot.result.isCompleted()) {
        return true;
      }
      if (slot.started.isCompleted() && slot.sentParallelism != share(running())) {
        return true;
      }
      if (slot.started.isCompleted() && slot.sentPaused != paused) {
        return true;
      }
    }
    return false;
  }

  /** A running segment's share of the run's parallelism. */
  private int share(int runningSegments) {
    return Math.max(1, parallelism / Math.max(1, runningSegments));
  }

  private void startRunnable() {
    if (paused || stopped || !held.isEmpty()) {
      return;
    }
    List<Slot> starting = new ArrayList<>();
    int running = running();
    for (Slot slot : slots) {
      if (running + starting.size() >= Math.min(MAX_RUNNING_SEGMENTS, parallelism)) {
        break;
      }
      if (slot.phase == TaskPhase.PENDING && dependenciesEnded(slot)) {
        starting.add(slot);
      }
    }
    int share = share(running + starting.size());
    for (Slot slot : starting) {
      start(slot, share);
    }
  }

  private boolean dependenciesEnded(Slot slot) {
    for (int dependency : slot.segment.dependsOn()) {
      if (!slots.get(dependency).phase.isFinal()) {
        return false;
      }
    }
    return true;
  }

  private void start(Slot slot, int share) {
    Segment segment = slot.segment;
    SegmentRef ref =
        new SegmentRef(runId, segment.index(), segment.key(), segment.sha256(), share, deadline);
    slot.child =
        Workflow.newChildWorkflowStub(
            PipelineWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(childId(segment.index()))
                .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE)
                .build());
    PipelineInput childInput =
        new PipelineInput(
            null, input.params(), new PipelineCarry(Map.of(), paused, 0, deadline), null, ref);
    slot.scope =
        Workflow.newCancellationScope(
            () -> slot.result = Async.function(slot.child::run, childInput));
    slot.scope.run();
    slot.started = Workflow.getWorkflowExecution(slot.child);
    slot.phase = TaskPhase.RUNNING;
    slot.sentPaused = paused;
    slot.sentParallelism = share;
    log.info(
        "segment {} starts: {} tasks, parallelism {}", segment.index(), segment.tasks(), share);
  }

  /** Sends the running segments the pause state and parallelism share they do not have yet. */
  private void forward() {
    int share = share(running());
    for (Slot slot : slots) {
      if (slot.phase != TaskPhase.RUNNING || !slot.started.isCompleted()) {
        continue;
      }
      if (slot.sentPaused != paused) {
        slot.sentPaused = paused;
        Async.procedure(paused ? slot.child::pause : slot.child::resume);
      }
      if (slot.sentParallelism != share) {
        slot.sentParallelism = share;
        Async.procedure(slot.child::parallelism, share);
      }
    }
  }

  /**
   * Forwards an abort to the segments that wait after a failure; the run then starts nothing more.
   * A run that does not wait ignores it, as the interpreter does.
   */
  private void takeAbort() {
    if (!abortRequested) {
      return;
    }
    abortRequested = false;
    if (held.isEmpty()) {
      log.info("abort ignored: no segment waits after a failure");
      return;
    }
    stopped = true;
    for (Slot slot : slots) {
      if (slot.phase == TaskPhase.RUNNING && held.contains(slot.segment.index())) {
        Async.procedure(slot.child::abort);
      }
    }
  }

  private void takeEnded() {
    for (Slot slot : slots) {
      if (slot.phase != TaskPhase.RUNNING || !slot.result.isCompleted()) {
        continue;
      }
      held.remove(slot.segment.index());
      slot.done = slot.segment.tasks();
      try {
        slot.result.get();
        slot.phase = TaskPhase.SUCCEEDED;
      } catch (ChildWorkflowFailure failure) {
        ended(slot, failure.getCause());
      } catch (CanceledFailure canceled) {
        slot.phase = TaskPhase.CANCELED;
        slot.error = "canceled";
      }
      log.info("segment {} ended {}", slot.segment.index(), slot.phase);
    }
  }

  @SuppressWarnings("unchecked")
  private void ended(Slot slot, Throwable cause) {
    if (cause instanceof CanceledFailure) {
      slot.phase = TaskPhase.CANCELED;
      slot.error = "canceled";
      return;
    }
    slot.phase = TaskPhase.FAILED;
    // A segment that could not start (its activity failed) says why in the activity's cause.
    while (cause instanceof ActivityFailure && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ApplicationFailure application) {
      slot.error = application.getOriginalMessage();
      if (PipelineWorkflowImpl.FAILED.equals(application.getType())) {
        try {
          slot.failedTasks = application.getDetails().get(List.class);
        } catch (RuntimeException unreadable) {
          slot.failedTasks = List.of();
        }
        if (spec.onFailure() != OnFailure.CONTINUE) {
          stopped = true;
        }
        return;
      }
    } else {
      slot.error = cause == null ? "the segment failed" : cause.getMessage();
    }
    // A segment that timed out, could not read its tasks or outgrew Temporal's limits: the run
    // cannot complete, whatever its failure policy.
    stopped = true;
  }

  /** Ends the run: cancels the running segments, waits for them, and drops those not started. */
  private void close(TaskPhase notStarted) {
    for (Slot slot : slots) {
      if (slot.phase == TaskPhase.RUNNING) {
        slot.scope.cancel();
      }
    }
    for (Slot slot : slots) {
      if (slot.phase == TaskPhase.RUNNING) {
        Workflow.await(() -> slot.result.isCompleted());
      }
    }
    takeEnded();
    dropPending(notStarted, "not started: the run ended first");
  }

  private void dropPending(TaskPhase phase, String why) {
    for (Slot slot : slots) {
      if (slot.phase == TaskPhase.PENDING) {
        slot.phase = phase;
        slot.done = slot.segment.tasks();
        slot.error = why;
      }
    }
  }

  private ApplicationFailure timeOut() {
    String why = "pipeline timed out after " + TaskOptions.describe(spec.timeout());
    close(TaskPhase.CANCELED);
    ending = RunPhase.FAILED;
    return ApplicationFailure.newNonRetryableFailure(why, PipelineWorkflowImpl.TIMED_OUT);
  }

  private RunState finish() {
    dropPending(TaskPhase.SKIPPED, "skipped: the pipeline stopped after a failure");
    List<String> failedTasks = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    int failedSegments = 0;
    int failedCount = 0;
    for (Slot slot : slots) {
      if (slot.phase != TaskPhase.FAILED && slot.phase != TaskPhase.CANCELED) {
        continue;
      }
      failedSegments++;
      failedCount += slot.failedTasks.size();
      for (String name : slot.failedTasks) {
        if (failedTasks.size() < MAX_FAILED_NAMES) {
          failedTasks.add(name);
        }
      }
      if (errors.size() < MAX_ERRORS_IN_MESSAGE) {
        errors.add("segment " + slot.segment.index() + ": " + slot.error);
      }
    }
    if (failedSegments == 0) {
      ending = RunPhase.SUCCEEDED;
      return status();
    }
    ending = RunPhase.FAILED;
    StringBuilder message =
        new StringBuilder(
            failedCount == 0
                ? "the run failed"
                : failedCount == 1 ? "task failed" : failedCount + " tasks failed");
    message.append(" (").append(failedSegments).append(" of ").append(slots.size());
    message.append(" segments): ").append(String.join("; ", errors));
    if (failedSegments > errors.size()) {
      message.append("; and ").append(failedSegments - errors.size()).append(" more segments");
    }
    throw ApplicationFailure.newNonRetryableFailure(
        message.toString(), PipelineWorkflowImpl.FAILED, failedTasks);
  }
}
