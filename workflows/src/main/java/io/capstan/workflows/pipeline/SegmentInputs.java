package io.capstan.workflows.pipeline;

import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Works out, from the states of tasks in earlier segments, what a segment starts with: the outputs
 * of theirs that its tasks are given, and which of its tasks are SKIPPED because a task they depend
 * on did not succeed (and, within the segment, everything below those). Plain Java; the activity
 * that reads the states calls it.
 */
public final class SegmentInputs {
  /** The states of tasks of one earlier segment, by name. */
  @FunctionalInterface
  public interface Lookup {
    Map<String, TaskState> states(int segment, List<String> names);
  }

  private SegmentInputs() {}

  /**
   * The tasks of other segments that {@code tasks} depend on or whose outputs their templates name,
   * with whether the output is needed.
   */
  static Map<String, Boolean> outside(List<TaskSpec> tasks) {
    Set<String> inside = new HashSet<>();
    tasks.forEach(task -> inside.add(task.name()));
    Map<String, Boolean> needed = new LinkedHashMap<>();
    for (TaskSpec task : tasks) {
      for (String dependency : task.dependsOn()) {
        if (!inside.contains(dependency)) {
          needed.putIfAbsent(dependency, false);
        }
      }
      for (String output : TaskReferences.of(task).outputs()) {
        if (!inside.contains(output)) {
          needed.put(output, true);
        }
      }
    }
    return needed;
  }

  /**
   * The segment's work.
   *
   * @throws IllegalStateException when an earlier segment does not know a task the plan put there
   */
  public static SegmentWork resolve(SegmentFile file, Lookup lookup) {
    List<TaskSpec> tasks = file.definition().spec().tasks();
    Map<String, Boolean> needed = outside(tasks);
    Map<Integer, List<String>> bySegment = new TreeMap<>();
    for (String name : needed.keySet()) {
      Integer owner = file.owners().get(name);
      if (owner == null) {
        throw new IllegalStateException("the plan names no segment for task '" + name + "'");
      }
      bySegment.computeIfAbsent(owner, k -> new ArrayList<>()).add(name);
    }
    Map<String, TaskState> states = new HashMap<>();
    bySegment.forEach((segment, names) -> states.putAll(lookup.states(segment, names)));
    Map<String, TaskState> externals = new LinkedHashMap<>();
    for (Map.Entry<String, Boolean> entry : needed.entrySet()) {
      TaskState state = states.get(entry.getKey());
      if (state == null) {
        throw new IllegalStateException(
            "segment "
                + file.owners().get(entry.getKey())
                + " does not know task '"
                + entry.getKey()
                + "'");
      }
      if (entry.getValue() && state.state() == TaskPhase.SUCCEEDED) {
        // Only what rendering and inputs read: the output, inline or by reference.
        externals.put(
            entry.getKey(),
            new TaskState(
                TaskPhase.SUCCEEDED,
                state.attempts(),
                state.output(),
                null,
                null,
                null,
                null,
                state.outputRef()));
      }
    }
    // Tasks come in level order, so a task's dependencies inside the segment are decided first.
    Map<String, String> blocked = new LinkedHashMap<>();
    for (TaskSpec task : tasks) {
      for (String dependency : task.dependsOn()) {
        TaskState outside = states.get(dependency);
        String why = null;
        if (outside != null
            && outside.state() == TaskPhase.SKIPPED
            && outside.error() != null
            && outside.error().startsWith("skipped: ancestor ")) {
          // The first failure's name goes down the chain, as it does within a segment.
          why = outside.error();
        } else if (outside != null && outside.state() != TaskPhase.SUCCEEDED) {
          why = "skipped: ancestor '" + dependency + "' " + ended(outside.state());
        } else if (blocked.containsKey(dependency)) {
          why = blocked.get(dependency);
        }
        if (why != null) {
          blocked.put(task.name(), why);
          break;
        }
      }
    }
    return new SegmentWork(file.definition(), externals, blocked);
  }

  private static String ended(TaskPhase phase) {
    return switch (phase) {
      case FAILED -> "failed";
      case SKIPPED -> "was skipped";
      case CANCELED -> "was canceled";
      default -> "did not succeed";
    };
  }
}
