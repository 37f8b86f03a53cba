package io.capstan.workflows.cluster;

import io.capstan.definitions.cluster.NodePoolSpec;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * A cluster's cloud side, served on the infrastructure queue: one Auto Scaling group per node pool,
 * through the AWS SDK against AWS or any endpoint (moto for the simulated cloud). Every call is
 * idempotent by name: a retry after a worker crash finds what the first attempt made and does no
 * harm. Throttling and server errors fail retryably; a request AWS refuses as invalid fails with
 * {@link #INVALID_REQUEST}, which is not retried.
 */
@ActivityInterface
public interface CloudActivities {
  /**
   * A request the cloud refuses as invalid (a missing launch template, bad subnet): not retried.
   */
  String INVALID_REQUEST = "CloudInvalidRequest";

  /** A group of the name exists and is not this cluster's pool: never adopted, not retried. */
  String GROUP_CONFLICT = "CloudGroupConflict";

  /**
   * Creates the pool's group tagged with the cluster and pool, or finds the one an earlier attempt
   * created. The answer says which.
   */
  @ActivityMethod(name = "EnsureGroup")
  GroupState ensureGroup(EnsureGroupRequest request);

  /**
   * Waits, heartbeating, until the group has {@code count} instances InService or the deadline
   * passes, and answers the group as it then is (the caller decides what a shortfall means).
   */
  @ActivityMethod(name = "AwaitInService")
  GroupState awaitInService(AwaitInServiceRequest request);

  /** Sets the group's size bounds and desired capacity. */
  @ActivityMethod(name = "ResizeGroup")
  GroupState resize(ResizeRequest request);

  /** The group as it is; an absent group answers null. */
  @ActivityMethod(name = "DescribeGroup")
  GroupState describe(GroupRequest request);

  /**
   * Terminates one instance of the group, decrementing its desired capacity when asked. An instance
   * no longer in the group is no error: the answer is false.
   */
  @ActivityMethod(name = "TerminateInstance")
  boolean terminateInstance(TerminateRequest request);

  /**
   * Deletes the group and its instances, and waits until the group is gone. An absent group is no
   * error: the answer is false.
   */
  @ActivityMethod(name = "DeleteGroup")
  boolean deleteGroup(GroupRequest request);

  /**
   * Points the pool's group at {@code version} of its launch template: instances launched from now
   * on start from it, those running are untouched. With the simulated cloud the template gets the
   * version when it has fewer. A version the template does not have fails with {@link
   * #INVALID_REQUEST}.
   */
  @ActivityMethod(name = "SetLaunchTemplate")
  GroupState setLaunchTemplate(SetLaunchTemplateRequest request);

  /** Capacity and prices of an instance type, from the shipped table. */
  @ActivityMethod(name = "InstanceType")
  InstanceTypeInfo instanceType(String instanceType);

  /**
   * @param desired the capacity to create the group with
   */
  record EnsureGroupRequest(ClusterRef cluster, NodePoolSpec pool, int desired) {}

  /**
   * @param deadlineMillis epoch millis of workflow time when the wait gives up
   */
  record AwaitInServiceRequest(
      ClusterRef cluster, String groupName, int count, long deadlineMillis) {}

  record ResizeRequest(ClusterRef cluster, String groupName, int min, int desired, int max) {}

  record GroupRequest(ClusterRef cluster, String groupName) {}

  record SetLaunchTemplateRequest(
      ClusterRef cluster, NodePoolSpec pool, String groupName, String version) {}

  record TerminateRequest(
      ClusterRef cluster, String groupName, String instanceId, boolean decrement) {}
}
