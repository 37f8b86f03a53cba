package io.capstan.definitions.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a pipeline does when a task fails for good: {@code stop} starts nothing new; {@code
 * continue} lets branches that do not depend on the failed task go on.
 */
public enum OnFailure {
  @JsonProperty("stop")
  STOP,
  @JsonProperty("continue")
  CONTINUE
}
