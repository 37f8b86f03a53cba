package io.capstan.workflows.cluster;

import java.util.List;

/**
 * An Auto Scaling group as the cloud reports it.
 *
 * @param created whether the call that answered this created the group (false when it was there)
 */
public record GroupState(
    String groupName,
    boolean created,
    int minSize,
    int desiredCapacity,
    int maxSize,
    List<CloudInstance> instances) {
  public GroupState {
    instances = instances == null ? List.of() : List.copyOf(instances);
  }
}
