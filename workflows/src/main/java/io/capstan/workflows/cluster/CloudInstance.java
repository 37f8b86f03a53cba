package io.capstan.workflows.cluster;

/**
 * One instance of an Auto Scaling group, as the cloud reports it.
 *
 * @param lifecycleState the group's view: Pending, InService, Terminating, ...
 * @param health Healthy or Unhealthy
 * @param launchTemplateVersion the launch template version it was launched from
 * @param failure why it will not come up, when the cloud says (a state reason, or the simulated
 *     cloud's injected failure); null otherwise
 */
public record CloudInstance(
    String instanceId,
    String zone,
    String instanceType,
    String lifecycleState,
    String health,
    String launchTemplateVersion,
    String failure) {
  public boolean inService() {
    return "InService".equals(lifecycleState);
  }

  /** The Kubernetes {@code spec.providerID} of the node this instance becomes. */
  public String providerId() {
    return "aws:///" + zone + "/" + instanceId;
  }
}
