package io.capstan.workflows.run;

import java.util.List;

/**
 * Where one segment of a large pipeline stands, as its run reports it.
 *
 * @param index the segment's index in the plan
 * @param workflowId the segment's child workflow ({@code RUN/segment-K}), which answers the state
 *     of its tasks
 * @param phase PENDING until it starts, then RUNNING (WAITING while a failure holds it), and how it
 *     ended: SUCCEEDED, FAILED (a task failed), SKIPPED (the run stopped first) or CANCELED
 * @param progress its tasks that have ended, out of its tasks; {@code done} is known once the
 *     segment has ended (a running segment's own status answers it)
 * @param dependsOn the segments it waits for
 * @param error why it failed, or null
 * @param key the store key of the segment's tasks (a {@code SegmentFile}), for listing the tasks of
 *     a segment that has not started
 * @param sha256 that file's digest
 */
public record SegmentStatus(
    int index,
    String workflowId,
    TaskPhase phase,
    Progress progress,
    List<Integer> dependsOn,
    String error,
    String key,
    String sha256) {
  public SegmentStatus {
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
  }
}
