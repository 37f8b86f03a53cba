package io.capstan.app.kube;

import io.capstan.testkit.Checkout;
import java.nio.file.Path;

/**
 * The local control plane the Kubernetes tests share: started once per test JVM on first use (about
 * 5 s), in a fresh folder under {@code target/}, and stopped when the JVM exits (each process is a
 * managed one, stopped by its shutdown hook). The binaries come from {@code
 * scripts/install-kubernetes.sh}, which {@code ./test.sh} runs first.
 */
public final class LocalCluster {
  private static LocalKubernetes cluster;

  private LocalCluster() {}

  /** Where the install script puts the binaries. */
  public static Path binDir() {
    return Checkout.root().resolve(".capstan/tools/kubernetes/bin");
  }

  /**
   * The shared cluster, started on first call.
   *
   * @throws IllegalStateException naming the install script when the binaries are missing
   */
  public static synchronized LocalKubernetes get() {
    if (cluster == null) {
      if (!LocalKubernetes.installed(binDir())) {
        throw new IllegalStateException(
            "the local Kubernetes binaries are missing from "
                + binDir()
                + ": run scripts/install-kubernetes.sh (./test.sh runs it)");
      }
      Path state = Path.of("target", "kube-it", Long.toString(System.nanoTime())).toAbsolutePath();
      cluster =
          LocalKubernetes.start(
              new LocalKubernetes.Options(binDir(), state, null, null),
              step -> System.out.println("local cluster: " + step));
    }
    return cluster;
  }
}
