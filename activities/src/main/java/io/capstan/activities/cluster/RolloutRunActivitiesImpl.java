package io.capstan.activities.cluster;

import io.capstan.workflows.cluster.ClusterUpdates;
import io.capstan.workflows.cluster.ClusterWorkflow;
import io.capstan.workflows.cluster.RolloutRunActivities;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;

/**
 * {@link RolloutRunActivities} through the Temporal client: the cluster entity's rollout Updates,
 * and whether a rollout run still runs. A refusal by the cluster's validator is not retried; the
 * cluster being unreachable for a moment is.
 */
public final class RolloutRunActivitiesImpl implements RolloutRunActivities {
  private final WorkflowClient client;

  public RolloutRunActivitiesImpl(WorkflowClient client) {
    this.client = client;
  }

  @Override
  public ClusterUpdates.RolloutLease begin(
      String clusterWorkflowId, ClusterUpdates.BeginRollout request) {
    try {
      return cluster(clusterWorkflowId).beginRollout(request);
    } catch (WorkflowNotFoundException missing) {
      throw ApplicationFailure.newNonRetryableFailure(
          "cluster run "
              + clusterWorkflowId
              + " is not running: submit the Cluster first, or check the rollout's spec.cluster"
              + " and namespace",
          CLUSTER_NOT_FOUND);
    } catch (WorkflowUpdateException refused) {
      throw ApplicationFailure.newNonRetryableFailure(message(refused), ROLLOUT_REFUSED);
    }
  }

  @Override
  public void end(String clusterWorkflowId, ClusterUpdates.EndRollout request) {
    try {
      cluster(clusterWorkflowId).endRollout(request);
    } catch (WorkflowNotFoundException gone) {
      // A cluster deleted in the meantime holds nothing any more.
    } catch (WorkflowUpdateException refused) {
      throw ApplicationFailure.newNonRetryableFailure(message(refused), ROLLOUT_REFUSED);
    }
  }

  @Override
  public boolean running(String rolloutWorkflowId) {
    try {
      var described =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setExecution(
                          io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                              .setWorkflowId(rolloutWorkflowId))
                      .build());
      return described.getWorkflowExecutionInfo().getStatus()
          == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  private ClusterWorkflow cluster(String workflowId) {
    return client.newWorkflowStub(ClusterWorkflow.class, workflowId);
  }

  private static String message(WorkflowUpdateException refused) {
    String message = refused.getMessage();
    for (Throwable cause = refused; cause != null; cause = cause.getCause()) {
      if (cause instanceof TemporalFailure failure && failure.getOriginalMessage() != null) {
        message = failure.getOriginalMessage();
      }
    }
    return message;
  }
}
