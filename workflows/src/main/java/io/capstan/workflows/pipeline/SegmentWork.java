package io.capstan.workflows.pipeline;

import io.capstan.definitions.PipelineDefinition;
import io.capstan.workflows.run.TaskState;
import java.util.Map;

/**
 * What a segment needs before its first task starts, read by an activity: its tasks, the states of
 * the tasks of earlier segments whose outputs its tasks use, and which of its tasks can never run
 * because a task they depend on in an earlier segment did not succeed.
 *
 * @param externals by name, tasks of other segments that succeeded and whose outputs this segment's
 *     templates or inputs use; a dependency outside the segment that is absent here succeeded
 * @param blocked by name, this segment's tasks that are SKIPPED from the start, with the reason
 */
public record SegmentWork(
    PipelineDefinition definition, Map<String, TaskState> externals, Map<String, String> blocked) {
  public SegmentWork {
    externals = externals == null ? Map.of() : Map.copyOf(externals);
    blocked = blocked == null ? Map.of() : Map.copyOf(blocked);
  }
}
