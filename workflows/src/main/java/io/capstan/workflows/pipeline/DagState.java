package io.capstan.workflows.pipeline;

import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.capstan.workflows.task.OutputRef;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A pipeline's DAG and where each of its tasks stands: which tasks are ready to start (in
 * definition order), which failed, what a failure skips, and what a retry puts back to PENDING.
 *
 * <p>A task is ready when it is PENDING and every task it depends on SUCCEEDED. When a task fails
 * (or ends canceled while the run goes on), every PENDING descendant becomes SKIPPED; with {@code
 * onFailure: stop} every PENDING task does, and the DAG stays stopped until a retry leaves no task
 * FAILED. A retry puts the FAILED task back to PENDING with every SKIPPED task whose dependencies
 * can all still succeed.
 *
 * <p>Plain Java without Temporal, so that it is tested on its own: the workflow passes in the
 * moments at which things happen and decides when to start, wait and stop. Its methods take
 * positions or names of tasks the DAG has; anything else is a caller's bug.
 */
final class DagState {
  private final List<TaskSpec> specs;
  private final Map<String, Integer> index;
  private final List<List<Integer>> children;
  private final int[] unmetDependencies;
  private final OnFailure onFailure;

  /** Tasks of this segment that a failure in another segment skipped for good. */
  private final Set<String> blocked;

  private final Map<String, TaskState> tasks = new LinkedHashMap<>();
  private final Map<String, String> outputs = new HashMap<>();
  private final Map<String, OutputRef> references = new HashMap<>();
  private final TreeSet<Integer> ready = new TreeSet<>();

  /** The positions of the tasks that are FAILED now, in definition order. */
  private final TreeSet<Integer> failed = new TreeSet<>();

  /** A failure under {@code onFailure: stop} skipped every PENDING task; no retry lifted it yet. */
  private boolean stopping;

  /**
   * The DAG of {@code specs} with the tasks that {@code carried} names in their carried state. A
   * carried task that is not final is PENDING again: running it once more is the only way to learn
   * its outcome.
   *
   * @param carried the task states a previous execution carried over; null or empty on a first
   *     execution
   * @throws IllegalArgumentException when a task depends on a task the pipeline does not have
   */
  DagState(List<TaskSpec> specs, OnFailure onFailure, Map<String, TaskState> carried) {
    this(specs, onFailure, carried, null, Set.of());
  }

  /**
   * The DAG of one segment of a larger run: a dependency on a task outside {@code specs} has been
   * met (the segments it depends on have ended), {@code externals} gives the outputs of such tasks
   * that the segment's tasks use, and the tasks in {@code blocked} can never run (a task they
   * depend on in another segment did not succeed), so a retry leaves them SKIPPED.
   *
   * @param externals null for a whole pipeline, in which every dependency must be in {@code specs}
   */
  DagState(
      List<TaskSpec> specs,
      OnFailure onFailure,
      Map<String, TaskState> carried,
      Map<String, TaskState> externals,
      Set<String> blocked) {
    this.specs = List.copyOf(specs);
    this.blocked = Set.copyOf(blocked);
    this.onFailure = onFailure;
    Map<String, Integer> positions = new HashMap<>();
    for (int i = 0; i < this.specs.size(); i++) {
      positions.put(this.specs.get(i).name(), i);
    }
    index = positions;
    children = new ArrayList<>();
    for (int i = 0; i < this.specs.size(); i++) {
      children.add(new ArrayList<>());
    }
    for (int i = 0; i < this.specs.size(); i++) {
      TaskSpec task = this.specs.get(i);
      for (String dependency : task.dependsOn()) {
        Integer parent = positions.get(dependency);
        if (parent == null && externals != null) {
          continue;
        }
        if (parent == null) {
          throw new IllegalArgumentException(
              "task '" + task.name() + "' depends on unknown task '" + dependency + "'");
        }
        children.get(parent).add(i);
      }
    }
    for (int i = 0; i < this.specs.size(); i++) {
      String name = this.specs.get(i).name();
      TaskState state = carried == null ? null : carried.get(name);
      if (state == null || !state.state().isFinal()) {
        state = TaskState.pending();
      }
      tasks.put(name, state);
      if (state.state() == TaskPhase.SUCCEEDED) {
        keepOutput(name, state);
      } else if (state.state() == TaskPhase.FAILED) {
        failed.add(i);
      }
    }
    if (externals != null) {
      externals.forEach(
          (name, state) -> {
            if (state.state() == TaskPhase.SUCCEEDED && !index.containsKey(name)) {
              keepOutput(name, state);
            }
          });
    }
    unmetDependencies = new int[this.specs.size()];
    for (int i = 0; i < this.specs.size(); i++) {
      for (String dependency : this.specs.get(i).dependsOn()) {
        if (!met(dependency)) {
          unmetDependencies[i]++;
        }
      }
      if (unmetDependencies[i] == 0 && phaseAt(i) == TaskPhase.PENDING) {
        ready.add(i);
      }
    }
    // A failure inherited from the previous execution still stops this one.
    stopping = !failed.isEmpty() && onFailure == OnFailure.STOP;
  }

  /** Every task's state by name, in definition order; a read-only view that follows changes. */
  Map<String, TaskState> tasks() {
    return Collections.unmodifiableMap(tasks);
  }

  /**
   * The outputs of the tasks that succeeded by name (an empty string for none), for rendering
   * templates; a read-only view that follows changes.
   */
  Map<String, String> outputs() {
    return Collections.unmodifiableMap(outputs);
  }

  /**
   * The outputs of the tasks that succeeded and left them in the output store, by name; such a task
   * is absent from {@link #outputs()}, so a template the workflow renders keeps its reference for
   * the worker to resolve.
   */
  Map<String, OutputRef> references() {
    return Collections.unmodifiableMap(references);
  }

  private void keepOutput(String task, TaskState state) {
    if (state.outputRef() != null) {
      references.put(task, state.outputRef());
    } else {
      outputs.put(task, state.output() == null ? "" : state.output());
    }
  }

  boolean contains(String task) {
    return index.containsKey(task);
  }

  TaskState state(String task) {
    return tasks.get(task);
  }

  /** Whether a task is ready to start. */
  boolean hasReady() {
    return !ready.isEmpty();
  }

  /** Whether a task is FAILED now (not retried since). */
  boolean hasFailed() {
    return !failed.isEmpty();
  }

  /** The first FAILED task in definition order; only while {@link #hasFailed()}. */
  String firstFailed() {
    return specs.get(failed.first()).name();
  }

  /** Whether a failure under {@code onFailure: stop} holds the DAG. */
  boolean stopping() {
    return stopping;
  }

  /** Whether every task has reached a final phase. */
  boolean allFinal() {
    for (TaskState state : tasks.values()) {
      if (!state.state().isFinal()) {
        return false;
      }
    }
    return true;
  }

  /** How many tasks have reached a final phase. */
  int finalCount() {
    int done = 0;
    for (TaskState state : tasks.values()) {
      if (state.state().isFinal()) {
        done++;
      }
    }
    return done;
  }

  /** The states of the tasks that left PENDING, in definition order: what a carry holds. */
  Map<String, TaskState> leftPending() {
    Map<String, TaskState> left = new LinkedHashMap<>();
    tasks.forEach(
        (name, state) -> {
          if (state.state() != TaskPhase.PENDING) {
            left.put(name, state);
          }
        });
    return left;
  }

  /**
   * Takes the first ready task in definition order and marks it RUNNING (its first attempt) since
   * {@code at}; only while {@link #hasReady()}.
   */
  TaskSpec startNext(Instant at) {
    TaskSpec task = specs.get(ready.pollFirst());
    tasks.put(task.name(), new TaskState(TaskPhase.RUNNING, 1, null, null, at, null, null));
    return task;
  }

  /**
   * Records how a running task ended. A task that succeeded keeps its output and makes each
   * dependent whose dependencies have now all succeeded ready; a FAILED one counts as failed until
   * it is retried. What a task that did not succeed means for the rest is {@link #skipAfter}'s.
   */
  void ended(String task, TaskState state) {
    tasks.put(task, state);
    int position = index.get(task);
    if (state.state() == TaskPhase.FAILED) {
      failed.add(position);
    }
    if (state.state() != TaskPhase.SUCCEEDED) {
      return;
    }
    keepOutput(task, state);
    for (int child : children.get(position)) {
      unmetDependencies[child]--;
      if (unmetDependencies[child] == 0 && phaseAt(child) == TaskPhase.PENDING) {
        ready.add(child);
      }
    }
  }

  /**
   * Skips, as of {@code at}, what can no longer run because {@code task} did not succeed: every
   * PENDING descendant and, the first time under {@code onFailure: stop}, every PENDING task.
   */
  void skipAfter(String task, Instant at) {
    ArrayDeque<Integer> descendants = new ArrayDeque<>(children.get(index.get(task)));
    while (!descendants.isEmpty()) {
      int next = descendants.poll();
      if (phaseAt(next) == TaskPhase.PENDING) {
        drop(next, TaskPhase.SKIPPED, "skipped: ancestor '" + task + "' failed", at);
        descendants.addAll(children.get(next));
      }
    }
    if (onFailure == OnFailure.STOP && !stopping) {
      stopping = true;
      dropPending(
          TaskPhase.SKIPPED,
          "skipped: the pipeline stopped after '" + task + "' failed (onFailure: stop)",
          at);
    }
  }

  /** Ends every PENDING task in {@code phase} (SKIPPED or CANCELED) as of {@code at}. */
  void dropPending(TaskPhase phase, String why, Instant at) {
    for (int i = 0; i < specs.size(); i++) {
      if (phaseAt(i) == TaskPhase.PENDING) {
        drop(i, phase, why, at);
      }
    }
  }

  /**
   * Puts the FAILED {@code task} back to PENDING with every SKIPPED task that can run again because
   * of it, and returns their names in definition order. A SKIPPED task goes back when none of its
   * dependencies is FAILED, SKIPPED or CANCELED any more; after a stop that no FAILED task holds
   * any longer, that includes the tasks the stop skipped. Those whose dependencies all succeeded
   * are ready.
   */
  List<String> retry(String task) {
    int position = index.get(task);
    TreeSet<Integer> reset = new TreeSet<>();
    makePending(position, reset);
    ArrayDeque<Integer> candidates = new ArrayDeque<>();
    if (stopping && failed.isEmpty()) {
      stopping = false;
      for (int i = 0; i < specs.size(); i++) {
        if (phaseAt(i) == TaskPhase.SKIPPED) {
          candidates.add(i);
        }
      }
    } else {
      candidates.addAll(children.get(position));
    }
    // A task whose other dependency is reset later is visited again from that dependency.
    while (!candidates.isEmpty()) {
      int next = candidates.poll();
      if (phaseAt(next) == TaskPhase.SKIPPED
          && !blocked.contains(specs.get(next).name())
          && dependenciesCanSucceed(next)) {
        makePending(next, reset);
        candidates.addAll(children.get(next));
      }
    }
    List<String> names = new ArrayList<>();
    for (int i : reset) {
      TaskSpec spec = specs.get(i);
      int unmet = 0;
      for (String dependency : spec.dependsOn()) {
        if (!met(dependency)) {
          unmet++;
        }
      }
      unmetDependencies[i] = unmet;
      if (unmet == 0) {
        ready.add(i);
      }
      names.add(spec.name());
    }
    return names;
  }

  /** The FAILED tasks {@code task} depends on, directly or not, in definition order. */
  List<String> failedAncestors(String task) {
    TreeSet<Integer> found = new TreeSet<>();
    Set<Integer> seen = new HashSet<>();
    ArrayDeque<Integer> next = new ArrayDeque<>(List.of(index.get(task)));
    while (!next.isEmpty()) {
      for (String dependency : specs.get(next.poll()).dependsOn()) {
        Integer parent = index.get(dependency);
        if (parent != null && seen.add(parent)) {
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

  private void makePending(int position, Set<Integer> reset) {
    tasks.put(specs.get(position).name(), TaskState.pending());
    failed.remove(position);
    reset.add(position);
  }

  /** Whether {@code dependency} succeeded; one outside this segment did (see the constructor). */
  private boolean met(String dependency) {
    TaskState state = tasks.get(dependency);
    return state == null || state.state() == TaskPhase.SUCCEEDED;
  }

  private boolean dependenciesCanSucceed(int position) {
    for (String dependency : specs.get(position).dependsOn()) {
      if (!tasks.containsKey(dependency)) {
        continue;
      }
      TaskPhase phase = tasks.get(dependency).state();
      if (phase == TaskPhase.FAILED || phase == TaskPhase.SKIPPED || phase == TaskPhase.CANCELED) {
        return false;
      }
    }
    return true;
  }

  private void drop(int position, TaskPhase phase, String why, Instant at) {
    ready.remove(position);
    tasks.put(specs.get(position).name(), new TaskState(phase, 0, null, why, null, at, null));
  }

  private TaskPhase phaseAt(int position) {
    return tasks.get(specs.get(position).name()).state();
  }
}
