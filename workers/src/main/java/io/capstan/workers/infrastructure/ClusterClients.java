package io.capstan.workers.infrastructure;

import io.capstan.activities.kube.KubeClients;
import io.capstan.workers.KubeTarget;
import io.capstan.workflows.cluster.ClusterRef;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The Kubernetes API server of each cluster the worker manages: a simulated cluster's nodes join
 * the worker's own cluster (the local control plane of {@code capstan up}); an AWS cluster's {@code
 * kubernetes.context} names a context of the worker's kubeconfig, and without one the worker's own
 * cluster is meant too.
 */
final class ClusterClients implements Function<ClusterRef, KubernetesClient> {
  private final KubeTarget own;
  private final Map<String, KubernetesClient> byContext = new ConcurrentHashMap<>();

  ClusterClients(KubeTarget own) {
    this.own = own;
  }

  @Override
  public KubernetesClient apply(ClusterRef cluster) {
    String context = cluster.kubeContext();
    if (cluster.simulated() || context == null || context.equals(own.context())) {
      return own.connect();
    }
    return byContext.computeIfAbsent(context, name -> KubeClients.connect(own.kubeconfig(), name));
  }
}
