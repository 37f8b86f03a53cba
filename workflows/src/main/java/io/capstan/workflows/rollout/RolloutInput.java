package io.capstan.workflows.rollout;

import io.capstan.definitions.RollingUpdateDefinition;

/**
 * A rollout's start, or its carry across continue-as-new.
 *
 * @param clusterWorkflowId the workflow id of the cluster's entity, which the API derives from the
 *     cluster's namespace and name
 * @param carry null at the start
 * @param historyLimit the history length past which it continues as new at a batch's end; null for
 *     the default
 */
public record RolloutInput(
    RollingUpdateDefinition definition,
    String clusterWorkflowId,
    RolloutState.Snapshot carry,
    Integer historyLimit) {
  public static RolloutInput create(RollingUpdateDefinition definition, String clusterWorkflowId) {
    return new RolloutInput(definition, clusterWorkflowId, null, null);
  }
}
