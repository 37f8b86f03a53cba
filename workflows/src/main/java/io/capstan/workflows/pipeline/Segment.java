package io.capstan.workflows.pipeline;

import java.util.List;

/**
 * One segment of a large pipeline: a slice of its tasks in topological order, stored on its own
 * (with the names of the tasks outside it that it depends on) and run by a child workflow.
 *
 * @param index the segment's position in the plan, from 0
 * @param key the store key of the segment's {@link SegmentFile}
 * @param sha256 that file's digest
 * @param tasks how many tasks the segment holds
 * @param dependsOn the segments holding a task that one of this segment's tasks depends on; each
 *     comes before this one
 */
public record Segment(int index, String key, String sha256, int tasks, List<Integer> dependsOn) {
  public Segment {
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
  }
}
