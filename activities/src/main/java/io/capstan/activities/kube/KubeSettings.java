package io.capstan.activities.kube;

import java.time.Duration;

/**
 * How the {@code container} executor uses its cluster.
 *
 * @param namespaces how a Capstan namespace becomes a Kubernetes namespace
 * @param unschedulableTimeout how long a pod may wait for a node (or a Job for its pod) before the
 *     attempt fails, non-retryably, with the scheduler's reason
 * @param finishedJobTtl how long Kubernetes keeps a finished Job the executor could not delete (the
 *     TTL controller's safety net; the executor deletes each Job once its result is recorded)
 */
public record KubeSettings(
    NamespaceMapping namespaces, Duration unschedulableTimeout, Duration finishedJobTtl) {
  /** How long a pod may stay unschedulable unless configured otherwise. */
  public static final Duration DEFAULT_UNSCHEDULABLE_TIMEOUT = Duration.ofMinutes(5);

  /** How long an unreported finished Job is kept unless configured otherwise. */
  public static final Duration DEFAULT_FINISHED_JOB_TTL = Duration.ofHours(24);

  public KubeSettings {
    namespaces = namespaces == null ? NamespaceMapping.IDENTITY : namespaces;
    if (unschedulableTimeout == null || unschedulableTimeout.isNegative()) {
      unschedulableTimeout = DEFAULT_UNSCHEDULABLE_TIMEOUT;
    }
    if (finishedJobTtl == null || finishedJobTtl.isNegative()) {
      finishedJobTtl = DEFAULT_FINISHED_JOB_TTL;
    }
  }

  /** The defaults: same-named namespaces, 5 minutes unschedulable, 24 hours of TTL. */
  public static KubeSettings defaults() {
    return new KubeSettings(null, null, null);
  }

  public KubeSettings withUnschedulableTimeout(Duration timeout) {
    return new KubeSettings(namespaces, timeout, finishedJobTtl);
  }

  public KubeSettings withNamespaces(NamespaceMapping mapping) {
    return new KubeSettings(mapping, unschedulableTimeout, finishedJobTtl);
  }
}
