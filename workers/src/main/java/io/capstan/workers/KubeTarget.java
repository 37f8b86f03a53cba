package io.capstan.workers;

import io.capstan.activities.kube.KubeClients;
import io.capstan.activities.kube.KubeSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

/**
 * The Kubernetes cluster a worker runs {@code container} tasks on, and how: a kubeconfig file and
 * context, or (both null) the standard discovery, in-cluster config first. Its client is made on
 * first use and shared; {@link #close()} closes it.
 */
public final class KubeTarget implements AutoCloseable {
  private final Path kubeconfig;
  private final String context;
  private final KubeSettings settings;
  private KubernetesClient client;

  /**
   * @param kubeconfig the kubeconfig, or null for the standard discovery
   * @param context the kubeconfig's context to use, or null for its current one
   * @param settings namespaces and timeouts of the container executor; null for the defaults
   */
  public KubeTarget(Path kubeconfig, String context, KubeSettings settings) {
    this.kubeconfig = kubeconfig;
    this.context = context;
    this.settings = settings == null ? KubeSettings.defaults() : settings;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public String context() {
    return context;
  }

  public KubeSettings settings() {
    return settings;
  }

  /** The client (made on first call); closed by {@link #close()}. */
  public synchronized KubernetesClient connect() {
    if (client == null) {
      client = KubeClients.connect(kubeconfig, context);
    }
    return client;
  }

  /** Where this target points, for logs and messages. */
  public String describe() {
    if (kubeconfig == null) {
      return context == null
          ? "the standard Kubernetes config (in-cluster first)"
          : "context " + context;
    }
    return "kubeconfig " + kubeconfig + (context == null ? "" : " (context " + context + ")");
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
