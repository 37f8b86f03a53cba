package io.capstan.workflows.cluster;

/**
 * A Kubernetes node of the cluster.
 *
 * @param reason why it is not Ready (the Ready condition's message), null when Ready
 */
public record NodeView(
    String name, String providerId, boolean ready, boolean schedulable, String reason) {
  /** The instance id at the end of {@code aws:///ZONE/i-...}. */
  public String instanceId() {
    return providerId == null ? null : providerId.substring(providerId.lastIndexOf('/') + 1);
  }
}
