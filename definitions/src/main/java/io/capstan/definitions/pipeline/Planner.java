package io.capstan.definitions.pipeline;

import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.executor.SimulateSpec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans a validated pipeline (see {@link Plan}) for {@code POST /validate}.
 *
 * <p>A task's expected duration is its simulated duration times the attempts it is set to make
 * ({@code failAttempts + 1}, at most its retry's {@code maxAttempts}), else its GPU duration, else
 * its timeout (an upper bound), else unknown. The critical path is the chain with the longest
 * total; when totals tie, or nothing is known, the chain with more tasks wins, then the one ending
 * earlier in the definition.
 */
public final class Planner {
  private Planner() {}

  public static Plan plan(PipelineDefinition definition) {
    return plan(definition.spec());
  }

  /**
   * @throws IllegalArgumentException when the tasks do not form a DAG, which validation rules out
   */
  public static Plan plan(PipelineSpec spec) {
    List<TaskSpec> tasks = spec.tasks();
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      index.put(tasks.get(i).name(), i);
    }
    List<Integer> order = topologicalOrder(tasks, index);

    int[] level = new int[tasks.size()];
    Duration[] total = new Duration[tasks.size()];
    int[] length = new int[tasks.size()];
    int[] previous = new int[tasks.size()];
    for (int t : order) {
      TaskSpec task = tasks.get(t);
      previous[t] = -1;
      for (String dependency : task.dependsOn()) {
        int d = index.get(dependency);
        level[t] = Math.max(level[t], level[d] + 1);
        if (previous[t] == -1
            || longer(total[d], length[d], total[previous[t]], length[previous[t]])) {
          previous[t] = d;
        }
      }
      Duration own = expected(task, spec.defaults());
      total[t] = (previous[t] == -1 ? Duration.ZERO : total[previous[t]]).plus(own);
      length[t] = (previous[t] == -1 ? 0 : length[previous[t]]) + 1;
    }

    List<List<String>> levels = new ArrayList<>();
    int end = -1;
    for (int t = 0; t < tasks.size(); t++) {
      while (levels.size() <= level[t]) {
        levels.add(new ArrayList<>());
      }
      levels.get(level[t]).add(tasks.get(t).name());
      if (end == -1 || longer(total[t], length[t], total[end], length[end])) {
        end = t;
      }
    }
    List<String> path = new ArrayList<>();
    for (int t = end; t != -1; t = previous[t]) {
      path.add(0, tasks.get(t).name());
    }
    return new Plan(levels, path, end == -1 ? Duration.ZERO : total[end]);
  }

  /** The expected duration of one task; zero when nothing tells. */
  static Duration expected(TaskSpec task, TaskDefaults defaults) {
    SimulateSpec simulate = task.simulate();
    if (simulate != null) {
      RetrySpec retry =
          task.retry() != null ? task.retry().orElse(defaults.retry()) : defaults.retry();
      retry = retry == null ? RetrySpec.DEFAULT : retry.orElse(RetrySpec.DEFAULT);
      int attempts = Math.min(simulate.failAttempts() + 1, retry.maxAttempts());
      return simulate.duration().multipliedBy(attempts);
    }
    if (task.gpu() != null && task.gpu().duration() != null) {
      return task.gpu().duration();
    }
    Duration timeout = task.timeout() != null ? task.timeout() : defaults.timeout();
    return timeout != null ? timeout : Duration.ZERO;
  }

  private static boolean longer(Duration total, int length, Duration otherTotal, int otherLength) {
    int byTime = total.compareTo(otherTotal);
    return byTime > 0 || (byTime == 0 && length > otherLength);
  }

  private static List<Integer> topologicalOrder(List<TaskSpec> tasks, Map<String, Integer> index) {
    int[] waiting = new int[tasks.size()];
    List<List<Integer>> dependents = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      dependents.add(new ArrayList<>());
    }
    for (int t = 0; t < tasks.size(); t++) {
      for (String dependency : tasks.get(t).dependsOn()) {
        Integer d = index.get(dependency);
        if (d == null) {
          throw new IllegalArgumentException("unknown task '" + dependency + "'");
        }
        dependents.get(d).add(t);
        waiting[t]++;
      }
    }
    Deque<Integer> ready = new ArrayDeque<>();
    for (int t = 0; t < tasks.size(); t++) {
      if (waiting[t] == 0) {
        ready.add(t);
      }
    }
    List<Integer> order = new ArrayList<>();
    while (!ready.isEmpty()) {
      int t = ready.poll();
      order.add(t);
      for (int next : dependents.get(t)) {
        if (--waiting[next] == 0) {
          ready.add(next);
        }
      }
    }
    if (order.size() != tasks.size()) {
      throw new IllegalArgumentException("the tasks form a cycle; validate the pipeline first");
    }
    return order;
  }
}
