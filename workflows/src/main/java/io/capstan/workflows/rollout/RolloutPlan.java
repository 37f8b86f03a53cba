package io.capstan.workflows.rollout;

/**
 * The arithmetic of one batch, as a Deployment's rolling update does it: how many new nodes to
 * surge, and how many old Ready nodes may then go, so that the pool never has more than {@code
 * desired + surge} nodes nor fewer than {@code desired - unavailable} Ready, schedulable ones.
 */
final class RolloutPlan {
  private RolloutPlan() {}

  /**
   * How many new nodes to launch now.
   *
   * @param fresh nodes already on the target version
   * @param old nodes still to roll
   * @param cap how many nodes on the target version this stretch may reach (the next checkpoint's
   *     share of desired, or desired)
   */
  static int surge(int desired, int surge, int fresh, int old, int cap) {
    return Math.max(0, Math.min(cap - fresh, desired + surge - (fresh + old)));
  }

  /**
   * How many old Ready nodes may be cordoned and drained now.
   *
   * @param readyFresh new nodes Ready and schedulable
   * @param readyOld old nodes Ready and schedulable
   * @param floor the fewest Ready, schedulable nodes the pool may have: {@code desired -
   *     unavailable}, or {@code desired} where the batch ends at a checkpoint and surge allows it
   */
  static int drain(int readyFresh, int readyOld, int floor) {
    return Math.max(0, Math.min(readyOld, readyFresh + readyOld - floor));
  }

  /** The nodes on the target version a checkpoint at {@code percent} stands for. */
  static int share(int desired, int percent) {
    return (int) Math.ceil(desired * percent / 100.0);
  }
}
