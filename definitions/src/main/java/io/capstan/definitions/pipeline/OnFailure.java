package io.capstan.definitions.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a pipeline does when a task fails for good: {@code stop} starts nothing new; {@code
 * continue} lets branches that do not depend on the failed task go on; {@code pause} waits for a
 * retry or an abort.
 */
public enum OnFailure {
  @JsonProperty("stop")
  STOP,
  @JsonProperty("continue")
  CONTINUE,
  /**
   * Waits after a task failed for good, with the running tasks left to finish, until the failed
   * task is retried in place ({@code retryTask}) or the run is aborted.
   */
  @JsonProperty("pause")
  PAUSE
}
