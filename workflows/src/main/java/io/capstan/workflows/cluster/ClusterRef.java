package io.capstan.workflows.cluster;

import io.capstan.definitions.ClusterDefinition;
import io.capstan.definitions.cluster.CloudProvider;
import io.capstan.definitions.cluster.ClusterNetwork;
import java.util.Locale;

/**
 * Which cluster an activity works on, and where it lives: the cloud (provider, region, network) and
 * the Kubernetes context of its API server. Every cloud resource and node Capstan makes for the
 * cluster carries {@link #key()} ({@code NAMESPACE/NAME}), so the activities find them again by
 * name after a crash.
 *
 * @param kubeContext the kubeconfig context of the cluster's API server; null for the worker's own
 */
public record ClusterRef(
    String namespace,
    String name,
    CloudProvider provider,
    String region,
    ClusterNetwork network,
    String kubeContext) {
  /** The longest Auto Scaling group name AWS accepts. */
  static final int MAX_GROUP_NAME = 255;

  public static ClusterRef of(ClusterDefinition definition) {
    var spec = definition.spec();
    return new ClusterRef(
        definition.metadata().namespace(),
        definition.metadata().name(),
        spec.provider(),
        spec.region(),
        spec.network(),
        spec.kubernetes() == null ? null : spec.kubernetes().context());
  }

  /** The value of the {@code capstan.io/cluster} tag: {@code NAMESPACE/NAME}. */
  public String key() {
    return namespace + "/" + name;
  }

  public boolean simulated() {
    return provider == CloudProvider.SIMULATED;
  }

  /**
   * The Auto Scaling group of {@code pool}: {@code capstan.NAMESPACE.NAME.POOL}, the same on every
   * call, so that creating it again after a crash finds the group the first attempt made. The parts
   * are DNS labels, which never hold a dot, so no two pools of any clusters share a name.
   */
  public String groupName(String pool) {
    String group = "capstan." + namespace + "." + name + "." + pool;
    if (group.length() > MAX_GROUP_NAME) {
      throw new IllegalArgumentException("group name too long: " + group);
    }
    return group.toLowerCase(Locale.ROOT);
  }
}
