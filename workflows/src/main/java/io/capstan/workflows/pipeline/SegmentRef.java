package io.capstan.workflows.pipeline;

import java.time.Instant;

/**
 * What makes a pipeline execution one segment of a larger run: the run (its parent workflow), the
 * segment's place in the plan and where its tasks are stored.
 *
 * @param parentId the run's workflow id: tasks run, and outputs are stored, under it
 * @param index the segment's index in the plan
 * @param key the store key of the segment's {@link SegmentFile}
 * @param sha256 that file's digest
 * @param parallelism how many of the segment's tasks may run at once: the run's parallelism shared
 *     among its running segments, updated by the {@code parallelism} signal
 * @param deadline the run's deadline, or null
 */
public record SegmentRef(
    String parentId, int index, String key, String sha256, int parallelism, Instant deadline) {
  /** The workflow id of segment {@code index} of run {@code runId}: {@code RUN/segment-K}. */
  public static String workflowId(String runId, int index) {
    return runId + "/segment-" + index;
  }

  SegmentRef withParallelism(int value) {
    return new SegmentRef(parentId, index, key, sha256, value, deadline);
  }
}
