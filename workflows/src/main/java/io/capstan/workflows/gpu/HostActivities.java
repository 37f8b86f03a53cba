package io.capstan.workflows.gpu;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * What the GPU fleet asks of a host on its pinned queue besides device work: to prove it is alive.
 */
@ActivityInterface
public interface HostActivities {
  /**
   * Heartbeats until canceled. A host that dies stops heartbeating, the activity times out, and the
   * fleet revokes the host's leases: liveness that writes no history event per beat.
   */
  @ActivityMethod(name = "GpuHostLiveness")
  void watch(String host);
}
