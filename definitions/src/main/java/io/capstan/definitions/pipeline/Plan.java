package io.capstan.definitions.pipeline;

import java.time.Duration;
import java.util.List;

/**
 * How a pipeline will run, as far as its definition tells: the tasks level by level (a task's level
 * is one more than its deepest dependency's, so every task of a level can run at once) and the
 * critical path, the chain of dependent tasks expected to take longest.
 *
 * @param levels task names per level, level 0 first, in definition order within a level
 * @param criticalPath task names from the first to run to the last
 * @param estimatedDuration the expected duration of the critical path; tasks with no estimate (see
 *     {@link Planner}) count as zero
 */
public record Plan(
    List<List<String>> levels, List<String> criticalPath, Duration estimatedDuration) {
  public Plan {
    levels = levels.stream().map(List::copyOf).toList();
    criticalPath = List.copyOf(criticalPath);
  }
}
