package io.capstan.workflows.cluster;

import io.capstan.definitions.ClusterDefinition;

/**
 * A cluster workflow's argument.
 *
 * @param carry the state a run continued as new hands on; null for a new cluster
 * @param historyLimit the history length past which the entity continues as new when idle; null for
 *     the default
 */
public record ClusterInput(
    ClusterDefinition definition, ClusterState.Snapshot carry, Integer historyLimit) {
  public static ClusterInput create(ClusterDefinition definition) {
    return new ClusterInput(definition, null, null);
  }
}
