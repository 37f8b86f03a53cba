package io.capstan.definitions.job;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a schedule does when a run is due while the previous one still runs; the names are
 * Temporal's overlap policies.
 */
public enum ScheduleOverlap {
  /** Do not start the new run (the default). */
  @JsonProperty("skip")
  SKIP,
  /** Start it once the running one ends; at most one waits. */
  @JsonProperty("bufferOne")
  BUFFER_ONE,
  /** Start every missed run, one after another. */
  @JsonProperty("bufferAll")
  BUFFER_ALL,
  /** Cancel the running one, then start. */
  @JsonProperty("cancelOther")
  CANCEL_OTHER,
  /** Terminate the running one, then start. */
  @JsonProperty("terminateOther")
  TERMINATE_OTHER,
  /** Start regardless: runs may overlap. */
  @JsonProperty("allowAll")
  ALLOW_ALL
}
