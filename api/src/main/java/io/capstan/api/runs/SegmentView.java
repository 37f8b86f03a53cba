package io.capstan.api.runs;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.capstan.workflows.run.Progress;
import io.capstan.workflows.run.SegmentStatus;
import io.capstan.workflows.run.TaskPhase;
import java.util.List;

/**
 * One segment of a large run, as {@code GET /api/v1/runs/{id}} shows it.
 *
 * @param workflowId the segment's child workflow in Temporal, whose history holds its tasks
 * @param phase PENDING, RUNNING, or how it ended (SUCCEEDED, FAILED, SKIPPED, CANCELED)
 * @param dependsOn the segments it waits for
 * @param error why it failed or did not run
 */
public record SegmentView(
    int index,
    String workflowId,
    TaskPhase phase,
    Progress progress,
    List<Integer> dependsOn,
    @JsonInclude(JsonInclude.Include.NON_NULL) String error) {

  /** The views of {@code segments}; null for a run not cut into segments. */
  static List<SegmentView> of(List<SegmentStatus> segments) {
    if (segments == null) {
      return null;
    }
    return segments.stream()
        .map(
            s ->
                new SegmentView(
                    s.index(), s.workflowId(), s.phase(), s.progress(), s.dependsOn(), s.error()))
        .toList();
  }
}
