package io.capstan.workflows.cluster;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One cluster, for its whole life: created (pools in parallel, undone in reverse when anything
 * fails), then kept — autoscaled, costed, watched against its budget — and changed only through
 * Updates, each validated before it is accepted and run one at a time, until {@code delete} removes
 * it and the run completes. Its workflow id is derived from the cluster's namespace and name, so
 * there is one entity per cluster.
 */
@WorkflowInterface
public interface ClusterWorkflow {
  String TYPE = "Cluster";

  @WorkflowMethod(name = TYPE)
  ClusterStatus run(ClusterInput input);

  @QueryMethod(name = ClusterStatus.QUERY)
  ClusterStatus status();

  @UpdateMethod(name = ClusterUpdates.SCALE)
  ClusterUpdates.Result scale(ClusterUpdates.Scale request);

  @UpdateValidatorMethod(updateName = ClusterUpdates.SCALE)
  void validateScale(ClusterUpdates.Scale request);

  @UpdateMethod(name = ClusterUpdates.ADD_POOL)
  ClusterUpdates.Result addPool(ClusterUpdates.AddPool request);

  @UpdateValidatorMethod(updateName = ClusterUpdates.ADD_POOL)
  void validateAddPool(ClusterUpdates.AddPool request);

  @UpdateMethod(name = ClusterUpdates.REMOVE_POOL)
  ClusterUpdates.Result removePool(ClusterUpdates.RemovePool request);

  @UpdateValidatorMethod(updateName = ClusterUpdates.REMOVE_POOL)
  void validateRemovePool(ClusterUpdates.RemovePool request);

  @UpdateMethod(name = ClusterUpdates.SET_AUTOSCALING)
  ClusterUpdates.Result setAutoscaling(ClusterUpdates.SetAutoscaling request);

  @UpdateValidatorMethod(updateName = ClusterUpdates.SET_AUTOSCALING)
  void validateSetAutoscaling(ClusterUpdates.SetAutoscaling request);

  @UpdateMethod(name = ClusterUpdates.BEGIN_ROLLOUT)
  ClusterUpdates.RolloutLease beginRollout(ClusterUpdates.BeginRollout request);

  @UpdateValidatorMethod(updateName = ClusterUpdates.BEGIN_ROLLOUT)
  void validateBeginRollout(ClusterUpdates.BeginRollout request);

  @UpdateMethod(name = ClusterUpdates.END_ROLLOUT)
  ClusterUpdates.Result endRollout(ClusterUpdates.EndRollout request);

  @UpdateMethod(name = ClusterUpdates.DELETE)
  ClusterUpdates.Result delete(ClusterUpdates.Delete request);

  @UpdateValidatorMethod(updateName = ClusterUpdates.DELETE)
  void validateDelete(ClusterUpdates.Delete request);
}
