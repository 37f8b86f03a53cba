package io.capstan.workflows.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer of the {@code status} query of every Capstan workflow: the run's phase, progress and
 * the state of each task by name (in definition order). A run cut into segments (more tasks than
 * one segment holds) reports its segments instead of its tasks: each segment's child workflow
 * answers for its own tasks.
 *
 * @param segments null for a run not cut into segments
 */
public record RunState(
    RunPhase phase,
    Progress progress,
    Map<String, TaskState> tasks,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<SegmentStatus> segments) {
  /** The state of a run that is not cut into segments. */
  public RunState(RunPhase phase, Progress progress, Map<String, TaskState> tasks) {
    this(phase, progress, tasks, null);
  }

  /** The name of the query that returns this state, as the stock CLI and the Web UI call it. */
  public static final String QUERY = "status";

  /**
   * The name of the query that answers one page of the state: {@code statusPage(offset, limit)}
   * returns the phase, the progress and at most {@link #MAX_PAGE} tasks from {@code offset} in
   * definition order. The API reads large runs this way, since one answer must stay under
   * Temporal's 4 MiB message limit.
   */
  public static final String QUERY_PAGE = "statusPage";

  /** The most tasks one page holds. */
  public static final int MAX_PAGE = 1000;

  /**
   * The page of {@code tasks} from {@code offset}, at most {@code limit} (and {@link #MAX_PAGE}).
   */
  public RunState page(int offset, int limit) {
    int from = Math.max(0, offset);
    int count = Math.max(0, Math.min(limit, MAX_PAGE));
    Map<String, TaskState> page = new LinkedHashMap<>();
    int index = 0;
    for (Map.Entry<String, TaskState> task : tasks.entrySet()) {
      if (index >= from && page.size() < count) {
        page.put(task.getKey(), task.getValue());
      }
      index++;
    }
    return new RunState(phase, progress, page, segments);
  }
}
