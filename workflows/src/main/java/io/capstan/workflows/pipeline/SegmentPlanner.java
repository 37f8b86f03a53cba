package io.capstan.workflows.pipeline;

import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.pipeline.TaskSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToIntFunction;

/**
 * Cuts a large pipeline into segments, each run by a child workflow of the run.
 *
 * <p>Tasks are ordered by level (the longest chain of dependencies above them), then by definition
 * order, and cut into consecutive segments of at most {@code maxTasks} tasks and {@code maxBytes}
 * of definition. Whole levels share a segment while they fit in it; a level that does not fit
 * starts a new segment, and one wider than a segment is split into segments of its own. Every
 * dependency of a task is therefore in the task's own segment or an earlier one, so a segment can
 * start once the segments it depends on have ended: a fan-out of 100,000 becomes its root's segment
 * and 100 segments that depend only on it, a chain of 100,000 a hundred consecutive ones. Keeping
 * narrow levels out of wide levels' segments means a long task holds back only the segments that
 * depend on its own.
 *
 * <p>Plain Java, deterministic: the same definition always gives the same cut, which the API uses
 * to find a task's segment without asking the run.
 */
public final class SegmentPlanner {
  /** The most tasks a segment holds: about 7,000 events of history, under 10,240 with retries. */
  public static final int SEGMENT_TASKS = 1000;

  /** The most definition bytes a segment holds, so that a segment's input stays small. */
  public static final int SEGMENT_BYTES = 512 * 1024;

  private SegmentPlanner() {}

  /** The segments' tasks in order, and the segment of each task by name. */
  public record Cut(List<List<TaskSpec>> segments, Map<String, Integer> owners) {}

  /**
   * Cuts {@code tasks}.
   *
   * @param bytes the size of one task's definition
   * @throws IllegalArgumentException when a task depends on an unknown task or the tasks wait on
   *     each other in a cycle (validation refuses both)
   */
  public static Cut cut(
      List<TaskSpec> tasks, int maxTasks, int maxBytes, ToIntFunction<TaskSpec> bytes) {
    int[] level = levels(tasks);
    Integer[] order = new Integer[tasks.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.<Integer>comparingInt(i -> level[i]).thenComparingInt(i -> i));
    List<List<TaskSpec>> segments = new ArrayList<>();
    Map<String, Integer> owners = new HashMap<>();
    List<TaskSpec> current = new ArrayList<>();
    long currentBytes = 0;
    int limit = Math.max(1, maxTasks);
    for (int from = 0; from < order.length; ) {
      int to = from;
      while (to < order.length && level[order[to]] == level[order[from]]) {
        to++;
      }
      // A level that does not fit in what is left of the segment starts a new one, so a segment
      // never waits behind a wide level for a narrow one packed with it (a fan-out's root gets a
      // segment of its own, and the leaves' segments depend on nothing else).
      if (!current.isEmpty() && current.size() + (to - from) > limit) {
        segments.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      for (int i = from; i < to; i++) {
        TaskSpec task = tasks.get(order[i]);
        int size = bytes.applyAsInt(task);
        if (!current.isEmpty() && (current.size() >= limit || currentBytes + size > maxBytes)) {
          segments.add(current);
          current = new ArrayList<>();
          currentBytes = 0;
        }
        current.add(task);
        currentBytes += size;
        owners.put(task.name(), segments.size());
      }
      if (to - from > limit) {
        // A level wider than a segment fills segments of its own; what follows starts afresh.
        segments.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      from = to;
    }
    if (!current.isEmpty()) {
      segments.add(current);
    }
    return new Cut(segments, owners);
  }

  /**
   * The tasks of other segments that segment {@code s}'s tasks depend on or whose outputs their
   * templates name, with the segment of each.
   */
  public static Map<String, Integer> outside(Cut cut, int s) {
    Map<String, Integer> outside = new LinkedHashMap<>();
    for (String name : SegmentInputs.outside(cut.segments().get(s)).keySet()) {
      Integer owner = cut.owners().get(name);
      if (owner == null) {
        throw new IllegalArgumentException("no task is named '" + name + "'");
      }
      outside.put(name, owner);
    }
    return outside;
  }

  /** The segments segment {@code s} depends on, in ascending order. */
  public static List<Integer> dependencies(Cut cut, int s) {
    return List.copyOf(new TreeSet<>(outside(cut, s).values()));
  }

  /**
   * Segment {@code s} of {@code cut} as it is stored: {@code definition} with only the segment's
   * tasks, and the segment of each outside task they name.
   */
  public static SegmentFile file(PipelineDefinition definition, Cut cut, int s) {
    return new SegmentFile(definition.withTasks(cut.segments().get(s)), outside(cut, s));
  }

  /** Each task's level: 0 without dependencies, else one more than its deepest dependency's. */
  private static int[] levels(List<TaskSpec> tasks) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      index.put(tasks.get(i).name(), i);
    }
    List<List<Integer>> children = new ArrayList<>();
    int[] unmet = new int[tasks.size()];
    for (int i = 0; i < tasks.size(); i++) {
      children.add(new ArrayList<>());
    }
    for (int i = 0; i < tasks.size(); i++) {
      for (String dependency : tasks.get(i).dependsOn()) {
        Integer parent = index.get(dependency);
        if (parent == null) {
          throw new IllegalArgumentException(
              "task '" + tasks.get(i).name() + "' depends on unknown task '" + dependency + "'");
        }
        children.get(parent).add(i);
        unmet[i]++;
      }
    }
    int[] level = new int[tasks.size()];
    ArrayDeque<Integer> ready = new ArrayDeque<>();
    for (int i = 0; i < tasks.size(); i++) {
      if (unmet[i] == 0) {
        ready.add(i);
      }
    }
    int seen = 0;
    while (!ready.isEmpty()) {
      int next = ready.poll();
      seen++;
      for (int child : children.get(next)) {
        level[child] = Math.max(level[child], level[next] + 1);
        if (--unmet[child] == 0) {
          ready.add(child);
        }
      }
    }
    if (seen != tasks.size()) {
      throw new IllegalArgumentException("tasks wait on one another in a cycle");
    }
    return level;
  }
}
