package io.capstan.workflows.rollout;

/** Where one node of a rolled pool is. */
public enum NodePhase {
  /** An old node waiting for its batch. */
  Pending,
  /** A new instance launched, its node not Ready yet. */
  Surging,
  /** A new GPU node in its burn-in. */
  Validating,
  /** A new node, Ready and in service. */
  Ready,
  Cordoned,
  /** Its pods are being evicted; {@code podsLeft} says how many remain. */
  Draining,
  /** Its drain is past the drainTimeout and waits for an operator or the onFailure policy. */
  Blocked,
  /** Drained, waiting for the nodeDrainGracePeriod before its instance goes. */
  Drained,
  Terminated,
  /** Left out by an operator: schedulable again, on its old version. */
  Skipped,
  /** A new node that never became Ready or failed its burn-in, removed again. */
  Failed
}
