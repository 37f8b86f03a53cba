package io.capstan.definitions.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens when a cluster's spending reaches its monthly limit. */
public enum OnBudget {
  /** Send the alerts and keep the cluster as it is (the default). */
  @JsonProperty("alert")
  ALERT,
  /** Send the alerts and stop adding nodes until the next month or a raised limit. */
  @JsonProperty("pause")
  PAUSE
}
