package io.capstan.workers;

import io.capstan.activities.kube.KubeClients;
import io.capstan.activities.kube.KubeSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

/**
 * The Kubernetes cluster a worker runs {@code container} tasks on, and how: a kubeconfig file and
 * context, or (both null) the standard discovery, in-cluster config first. Its client is made on
 * first use and shared; {@link #close()} closes it.
 *
 * @param kubeconfig the kubeconfig, or null for the standard discovery
 * @param context the kubeconfig's context to use, or null for its current one
 * @param settings namespaces, timeouts, and whether pods are simulated
 */
public record KubeTarget(Path kubeconfig, String context, KubeSettings settings, Holder client)
    implements AutoCloseable {

  /** The shared client, made once. */
  public static final class Holder {
    private KubernetesClient client;

    synchronized KubernetesClient get(Path kubeconfig, String context) {
      if (client == null) {
        client = KubeClients.connect(kubeconfig, context);
      }
      return client;
    }

    synchronized void close() {
      if (client != null) {
        client.close();
        client = null;
      }
    }
  }

  public KubeTarget {
    settings = settings == null ? KubeSettings.defaults() : settings;
    client = client == null ? new Holder() : client;
  }

  public KubeTarget(Path kubeconfig, String context, KubeSettings settings) {
    this(kubeconfig, context, settings, null);
  }

  /** The client (made on first call); closed by {@link #close()}. */
  public KubernetesClient connect() {
    return client.get(kubeconfig, context);
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
  public void close() {
    client.close();
  }
}
