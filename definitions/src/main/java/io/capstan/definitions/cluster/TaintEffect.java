package io.capstan.definitions.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a Kubernetes node taint does to pods that do not tolerate it. */
public enum TaintEffect {
  @JsonProperty("NoSchedule")
  NO_SCHEDULE("NoSchedule"),
  @JsonProperty("PreferNoSchedule")
  PREFER_NO_SCHEDULE("PreferNoSchedule"),
  @JsonProperty("NoExecute")
  NO_EXECUTE("NoExecute");

  private final String wireName;

  TaintEffect(String wireName) {
    this.wireName = wireName;
  }

  /** The effect as Kubernetes and definitions write it, e.g. {@code NoSchedule}. */
  public String wireName() {
    return wireName;
  }
}
