package io.capstan.app.worker;

import io.capstan.activities.kube.KubeSettings;
import io.capstan.activities.kube.NamespaceMapping;
import io.capstan.app.FlagConverter;
import io.capstan.definitions.Durations;
import io.capstan.workers.KubeTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The flags that say which Kubernetes cluster {@code container} tasks run on and how, shared by
 * {@code capstan up} and {@code capstan worker} (a picocli mixin).
 */
public final class KubeFlags {
  @Option(
      names = "--kubeconfig",
      paramLabel = "PATH",
      description =
          "Run container tasks on the cluster of this kubeconfig (up: instead of the local"
              + " cluster; worker: default is in-cluster config, then $KUBECONFIG, then"
              + " ~/.kube/config).")
  Path kubeconfig;

  @Option(
      names = "--kube-context",
      paramLabel = "NAME",
      description = "The kubeconfig context to use (default: its current context).")
  String context;

  @Option(
      names = "--kube-namespace-template",
      paramLabel = "TEMPLATE",
      defaultValue = NamespaceMapping.PLACEHOLDER,
      description =
          "The Kubernetes namespace of a Capstan namespace; {namespace} stands for it (default:"
              + " ${DEFAULT-VALUE}, the same name; e.g. capstan-{namespace}).")
  String namespaceTemplate;

  @Option(
      names = "--pod-unschedulable-timeout",
      paramLabel = "DURATION",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description =
          "How long a container task's pod may find no node before the task fails (default:"
              + " ${DEFAULT-VALUE}).")
  Duration unschedulableTimeout;

  /** Reads durations as definitions write them ({@code 30s}, {@code 5m}). */
  static final class DurationConverter extends FlagConverter<Duration> {
    DurationConverter() {
      super(Durations::parse);
    }
  }

  /** Whether a cluster was named ({@code --kubeconfig} or {@code --kube-context}). */
  public boolean named() {
    return kubeconfig != null || context != null;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public String context() {
    return context;
  }

  /**
   * The settings these flags give.
   *
   * @throws IllegalArgumentException naming the flag when the template is no namespace
   */
  public KubeSettings settings() {
    NamespaceMapping mapping;
    try {
      mapping = new NamespaceMapping(namespaceTemplate);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--kube-namespace-template: " + e.getMessage(), e);
    }
    return KubeSettings.defaults()
        .withNamespaces(mapping)
        .withUnschedulableTimeout(unschedulableTimeout);
  }

  /**
   * The cluster these flags name: the kubeconfig (checked to be a readable file) and context, or
   * the standard discovery.
   *
   * @throws IllegalArgumentException naming what to fix
   */
  public KubeTarget target() {
    if (kubeconfig != null && !Files.isReadable(kubeconfig)) {
      throw new IllegalArgumentException("--kubeconfig " + kubeconfig + " is not a readable file");
    }
    return new KubeTarget(kubeconfig, context, settings());
  }
}
