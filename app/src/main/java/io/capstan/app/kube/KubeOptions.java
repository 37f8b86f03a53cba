package io.capstan.app.kube;

import io.capstan.activities.kube.KubeSettings;
import io.capstan.workers.KubeTarget;
import java.nio.file.Path;
import java.util.List;

/**
 * Where {@code capstan up} runs {@code container} tasks: nowhere ({@code --no-local-infra}, and
 * what tests start unless they ask), a cluster named by a kubeconfig or in-cluster config, or the
 * local control plane with simulated nodes, which {@code up} installs and starts itself.
 *
 * @param target the cluster, for {@link Mode#EXTERNAL}
 * @param home the checkout, whose tools folder and install script serve {@link Mode#LOCAL}
 * @param settings namespaces and timeouts of the container executor
 * @param nodes the local cluster's simulated nodes (null: the defaults)
 */
public record KubeOptions(
    Mode mode,
    KubeTarget target,
    Path home,
    KubeSettings settings,
    List<LocalKubernetes.SimulatedNode> nodes) {
  /** Which cluster. */
  public enum Mode {
    NONE,
    LOCAL,
    EXTERNAL
  }

  public KubeOptions {
    mode = mode == null ? Mode.NONE : mode;
    settings = settings == null ? KubeSettings.defaults() : settings;
    if (mode == Mode.EXTERNAL && target == null) {
      throw new IllegalArgumentException(
          "an external cluster needs a kubeconfig or in-cluster config");
    }
    if (mode == Mode.LOCAL && home == null) {
      throw new IllegalArgumentException("the local cluster needs the checkout's folder");
    }
  }

  public static KubeOptions none() {
    return new KubeOptions(Mode.NONE, null, null, null, null);
  }

  /** The local control plane, its binaries in {@code home}'s tools folder. */
  public static KubeOptions local(Path home, KubeSettings settings) {
    return new KubeOptions(Mode.LOCAL, null, home, settings, null);
  }

  public static KubeOptions external(KubeTarget target) {
    return new KubeOptions(Mode.EXTERNAL, target, null, target.settings(), null);
  }

  /** Where {@code scripts/install-kubernetes.sh} puts the binaries. */
  public Path binDir() {
    return home.resolve(".capstan").resolve("tools").resolve("kubernetes").resolve("bin");
  }

  /** The install script of the checkout. */
  public Path installScript() {
    return home.resolve("scripts").resolve("install-kubernetes.sh");
  }
}
