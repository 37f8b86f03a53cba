package io.capstan.activities.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Kubernetes clients as Capstan's workers and tools use them: from a kubeconfig file (optionally a
 * context of it), or else the standard discovery (in-cluster service account, {@code $KUBECONFIG},
 * {@code ~/.kube/config}).
 *
 * <p>The client's own HTTP retries are off: fabric8 would otherwise retry a 429 or a 5xx for up to
 * ~20 s on its own, hiding from Temporal a failure that the task's retry policy is there to handle.
 * Watches and informers still reconnect by themselves, which is how they follow a resource.
 */
public final class KubeClients {
  private KubeClients() {}

  /**
   * The configuration of {@code kubeconfig} (context {@code context}, or its current one), or the
   * standard discovery when {@code kubeconfig} is null.
   *
   * @throws IllegalArgumentException when the file cannot be read or names no such context
   */
  public static Config config(Path kubeconfig, String context) {
    Config base;
    if (kubeconfig != null) {
      String contents;
      try {
        contents = Files.readString(kubeconfig);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read the kubeconfig " + kubeconfig + ": " + e, e);
      }
      try {
        base = Config.fromKubeconfig(context, contents, kubeconfig.toAbsolutePath().toString());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "the kubeconfig "
                + kubeconfig
                + (context == null ? "" : " has no usable context '" + context + "'")
                + ": "
                + e.getMessage(),
            e);
      }
    } else {
      base = Config.autoConfigure(context);
    }
    return new ConfigBuilder(base)
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(10_000)
        .withRequestTimeout(30_000)
        .build();
  }

  /** A client for {@link #config}. */
  public static KubernetesClient connect(Path kubeconfig, String context) {
    return new KubernetesClientBuilder().withConfig(config(kubeconfig, context)).build();
  }
}
