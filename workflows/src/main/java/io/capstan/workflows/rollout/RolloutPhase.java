package io.capstan.workflows.rollout;

/** Where a rollout is. */
public enum RolloutPhase {
  /** Taking the pool from the cluster. */
  Starting,
  /** Outside its window: waiting for the next one to open. */
  WaitingForWindow,
  /** A batch is under way. */
  Rolling,
  /** Waiting after a batch, or at a checkpoint, for its soak. */
  Soaking,
  /** At a checkpoint that waits for {@code resume}. */
  AtCheckpoint,
  /** Paused by an operator or by a failure under {@code onFailure: pause}. */
  Paused,
  /** A drain is past its timeout and waits for {@code wait}, {@code skip} or {@code force}. */
  Blocked,
  /** Putting the previous version back. */
  RollingBack,
  Completed,
  RolledBack,
  Aborted,
  Failed;

  public boolean ended() {
    return this == Completed || this == RolledBack || this == Aborted || this == Failed;
  }
}
