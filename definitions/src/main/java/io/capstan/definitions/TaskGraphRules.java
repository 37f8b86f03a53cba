package io.capstan.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of a pipeline's task graph: unique task names, {@code dependsOn} naming other tasks, no
 * cycles (printed {@code a -> b -> a}, in the order the tasks would run), and {@code #{TASK
 * .output}} naming an ancestor, whose output is therefore known when the task starts.
 */
final class TaskGraphRules {
  /** A task that has a textual name, with its place in the document. */
  private record Task(int index, String name, NodePath path, JsonNode node) {}

  /** An edge of the graph: {@code task} depends on {@code dependency}, written at {@code path}. */
  private record Dependency(int dependency, NodePath path) {}

  private final SourceDocument source;
  private final List<Problem> problems;
  private final List<Task> tasks = new ArrayList<>();
  private final Map<String, Task> byName = new LinkedHashMap<>();
  private final List<List<Dependency>> dependencies = new ArrayList<>();

  /** Each task's dependents, built the first time a reference is not to a direct dependency. */
  private List<List<Integer>> dependents;

  /** The descendants of each task a reference named beyond the referring task's dependencies. */
  private final Map<Integer, BitSet> descendants = new HashMap<>();

  private TaskGraphRules(SourceDocument source, List<Problem> problems) {
    this.source = source;
    this.problems = problems;
  }

  static void check(
      SourceDocument source,
      JsonNode spec,
      NodePath specPath,
      Set<String> params,
      List<Problem> problems) {
    TaskGraphRules graph = new TaskGraphRules(source, problems);
    graph.collectTasks(spec.path("tasks"), specPath.field("tasks"));
    graph.collectDependencies();
    graph.reportCycles();
    graph.checkReferences(params);
    graph.checkAffinity();
  }

  private void collectTasks(JsonNode list, NodePath listPath) {
    for (int i = 0; list.isArray() && i < list.size(); i++) {
      JsonNode node = list.get(i);
      JsonNode name = node.path("name");
      if (!name.isTextual()) {
        continue;
      }
      Task task = new Task(tasks.size(), name.asText(), listPath.index(i), node);
      NodePath namePath = task.path().field("name");
      Task first = byName.get(task.name());
      if (first != null) {
        problems.add(
            source.problem(
                namePath,
                "duplicate task name '"
                    + task.name()
                    + "': task names must be unique (first used at line "
                    + source.lineOf(first.path().field("name"))
                    + ")"));
        continue;
      }
      if (Templates.PARAMS.equals(task.name())) {
        problems.add(
            source.problem(
                namePath, "'params' is reserved for #{params.NAME}: give the task another name"));
      }
      byName.put(task.name(), task);
      tasks.add(task);
    }
  }

  private void collectDependencies() {
    for (Task task : tasks) {
      List<Dependency> edges = new ArrayList<>();
      JsonNode dependsOn = task.node().path("dependsOn");
      NodePath listPath = task.path().field("dependsOn");
      for (int i = 0; dependsOn.isArray() && i < dependsOn.size(); i++) {
        JsonNode entry = dependsOn.get(i);
        if (!entry.isTextual()) {
          continue;
        }
        String name = entry.asText();
        NodePath path = listPath.index(i);
        Task dependency = byName.get(name);
        if (dependency == null) {
          problems.add(
              source.problem(
                  path,
                  "unknown task '" + name + "'" + Suggestions.didYouMean(name, byName.keySet())));
        } else if (dependency == task) {
          problems.add(source.problem(path, "a task cannot depend on itself"));
        } else if (edges.stream().noneMatch(e -> e.dependency() == dependency.index())) {
          edges.add(new Dependency(dependency.index(), path));
        }
      }
      dependencies.add(edges);
    }
  }

  /**
   * Reports one cycle per strongly connected component (Tarjan's algorithm, iterative so that a
   * long chain cannot overflow the stack). The cycle printed is the shortest one through the
   * component's first task, in running order, and the problem points at the {@code dependsOn} entry
   * that closes it.
   */
  private void reportCycles() {
    int n = tasks.size();
    int[] index = new int[n];
    int[] low = new int[n];
    Arrays.fill(index, -1);
    boolean[] onStack = new boolean[n];
    Deque<Integer> stack = new ArrayDeque<>();
    int counter = 0;
    for (int root = 0; root < n; root++) {
      if (index[root] != -1) {
        continue;
      }
      Deque<int[]> work = new ArrayDeque<>();
      index[root] = low[root] = counter++;
      stack.push(root);
      onStack[root] = true;
      work.push(new int[] {root, 0});
      while (!work.isEmpty()) {
        int[] frame = work.peek();
        int v = frame[0];
        List<Dependency> edges = dependencies.get(v);
        if (frame[1] < edges.size()) {
          int w = edges.get(frame[1]++).dependency();
          if (index[w] == -1) {
            index[w] = low[w] = counter++;
            stack.push(w);
            onStack[w] = true;
            work.push(new int[] {w, 0});
          } else if (onStack[w]) {
            low[v] = Math.min(low[v], index[w]);
          }
          continue;
        }
        work.pop();
        if (!work.isEmpty()) {
          int parent = work.peek()[0];
          low[parent] = Math.min(low[parent], low[v]);
        }
        if (low[v] == index[v]) {
          List<Integer> members = new ArrayList<>();
          int w;
          do {
            w = stack.pop();
            onStack[w] = false;
            members.add(w);
          } while (w != v);
          if (members.size() > 1) {
            BitSet component = new BitSet(n);
            members.forEach(component::set);
            reportCycle(component);
          }
        }
      }
    }
  }

  private void reportCycle(BitSet component) {
    int start = component.nextSetBit(0);
    // Breadth-first over "runs before" edges (dependency -> dependent) inside the component, until
    // a task that the start depends on: the path back to the start closes the shortest cycle.
    Map<Integer, List<Integer>> dependents = new HashMap<>();
    for (int t = component.nextSetBit(0); t >= 0; t = component.nextSetBit(t + 1)) {
      for (Dependency edge : dependencies.get(t)) {
        if (component.get(edge.dependency())) {
          dependents.computeIfAbsent(edge.dependency(), k -> new ArrayList<>()).add(t);
        }
      }
    }
    Map<Integer, Integer> previous = new HashMap<>();
    Deque<Integer> queue = new ArrayDeque<>();
    queue.add(start);
    previous.put(start, start);
    while (!queue.isEmpty()) {
      int v = queue.poll();
      for (Dependency closing : dependencies.get(start)) {
        if (closing.dependency() == v) {
          List<String> names = new ArrayList<>();
          for (int at = v; at != start; at = previous.get(at)) {
            names.add(0, tasks.get(at).name());
          }
          names.add(0, tasks.get(start).name());
          names.add(tasks.get(start).name());
          problems.add(
              source.problem(closing.path(), "dependency cycle: " + String.join(" -> ", names)));
          return;
        }
      }
      for (int next : dependents.getOrDefault(v, List.of())) {
        if (previous.putIfAbsent(next, v) == null) {
          queue.add(next);
        }
      }
    }
  }

  private void checkReferences(Set<String> params) {
    for (Task task : tasks) {
      DefinitionRules.templated(
          task.node(),
          task.path(),
          (path, text) -> {
            for (Templates.Reference reference : Templates.references(text)) {
              String problem;
              if (reference.isParam()) {
                problem = DefinitionRules.unknownParam(reference, params);
              } else {
                problem = outputProblem(reference, task);
              }
              if (problem != null) {
                problems.add(source.problem(path, problem));
              }
            }
          });
    }
  }

  /**
   * A GPU task's {@code affinity.sameHostAs} names an ancestor GPU task: the host it ran on is
   * known only once it has ended.
   */
  private void checkAffinity() {
    for (Task task : tasks) {
      JsonNode target = task.node().path("gpu").path("affinity").path("sameHostAs");
      if (!target.isTextual()) {
        continue;
      }
      NodePath path = task.path().field("gpu").field("affinity").field("sameHostAs");
      String name = target.asText();
      Task earlier = byName.get(name);
      String problem;
      if (earlier == null) {
        problem =
            "sameHostAs names unknown task '"
                + name
                + "'"
                + Suggestions.didYouMean(name, byName.keySet());
      } else if (earlier == task) {
        problem = "sameHostAs names the task itself: name an earlier gpu task";
      } else if (!earlier.node().path("gpu").isObject()) {
        problem = "sameHostAs names '" + name + "', which is not a gpu task and has no GPU host";
      } else if (!isAncestor(earlier, task)) {
        problem =
            "sameHostAs names '"
                + name
                + "', which is not an ancestor of '"
                + task.name()
                + "': add it to dependsOn, so its host is known when this task starts";
      } else {
        problem = null;
      }
      if (problem != null) {
        problems.add(source.problem(path, problem));
      }
    }
  }

  private String outputProblem(Templates.Reference reference, Task task) {
    String quoted = "'" + reference.text() + "'";
    Task target = byName.get(reference.scope());
    if (!Templates.OUTPUT.equals(reference.key())) {
      return quoted + " is not a task output: write #{" + reference.scope() + ".output}";
    }
    if (target == null) {
      return quoted
          + " refers to unknown task '"
          + reference.scope()
          + "'"
          + Suggestions.didYouMean(reference.scope(), byName.keySet());
    }
    if (target == task) {
      return quoted + " refers to the task's own output, which does not exist before it ends";
    }
    if (!isAncestor(target, task)) {
      return quoted
          + " refers to task '"
          + target.name()
          + "', which is not an ancestor of '"
          + task.name()
          + "'; add it to dependsOn";
    }
    return null;
  }

  /**
   * Whether {@code target} is an ancestor of {@code task}: at once for a direct dependency (most
   * references), else from the descendants of {@code target}, found once per target. Asking each
   * task for all its ancestors instead costs the square of a long chain's length.
   */
  private boolean isAncestor(Task target, Task task) {
    for (Dependency edge : dependencies.get(task.index())) {
      if (edge.dependency() == target.index()) {
        return true;
      }
    }
    return descendants.computeIfAbsent(target.index(), this::descendantsOf).get(task.index());
  }

  private BitSet descendantsOf(int task) {
    if (dependents == null) {
      dependents = new ArrayList<>();
      for (int t = 0; t < tasks.size(); t++) {
        dependents.add(new ArrayList<>());
      }
      for (int t = 0; t < dependencies.size(); t++) {
        for (Dependency edge : dependencies.get(t)) {
          dependents.get(edge.dependency()).add(t);
        }
      }
    }
    BitSet seen = new BitSet(tasks.size());
    Deque<Integer> pending = new ArrayDeque<>();
    pending.push(task);
    while (!pending.isEmpty()) {
      for (int next : dependents.get(pending.pop())) {
        if (!seen.get(next)) {
          seen.set(next);
          pending.push(next);
        }
      }
    }
    return seen;
  }
}
