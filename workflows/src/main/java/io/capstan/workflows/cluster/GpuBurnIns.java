package io.capstan.workflows.cluster;

import io.capstan.definitions.cluster.GpuValidation;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.gpu.GpuActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/**
 * A GPU pool's node burn-in, as cluster creation and rollouts run it: every device of the node, on
 * the node's own GPU queue, once (a failure is the node's, not the call's).
 */
public final class GpuBurnIns {
  private GpuBurnIns() {}

  /** The burn-in a GPU pool's validation asks for, on every device of the node. */
  public static GpuActivities.BurnInRequest request(GpuValidation check) {
    Duration duration = check.duration();
    Duration window =
        duration.compareTo(Duration.ofSeconds(30)) >= 0
            ? Duration.ofSeconds(10)
            : duration.dividedBy(3).isZero() ? duration : duration.dividedBy(3);
    return new GpuActivities.BurnInRequest(
        List.of(), "bf16", 8192, duration, window, check.minTflops());
  }

  /**
   * The GPU activities of one node, on the node's own queue.
   *
   * @param pickup how long the node's GPU worker may take to pick the call up
   */
  public static GpuActivities onNode(String node, GpuValidation check, Duration pickup) {
    return Workflow.newActivityStub(
        GpuActivities.class,
        ActivityOptions.newBuilder()
            .setTaskQueue(TaskQueues.gpu(node))
            .setScheduleToStartTimeout(pickup)
            .setStartToCloseTimeout(check.duration().plusMinutes(5))
            .setHeartbeatTimeout(Duration.ofMinutes(1))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
            .build());
  }
}
