package io.capstan.workflows.cluster;

/** Where a cluster stands. Its run stays RUNNING for the cluster's whole life. */
public enum ClusterPhase {
  Creating,
  Ready,
  /** An operation (scale, add or remove a pool, an autoscaler change) is running. */
  Updating,
  Deleting,
  /** Everything was removed; the run completes. */
  Deleted,
  /** Creation failed and what it made was removed; the run fails and says why. */
  Failed
}
