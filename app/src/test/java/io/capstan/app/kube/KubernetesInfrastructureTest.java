package io.capstan.app.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.activities.kube.KubeSettings;
import io.capstan.api.KubernetesInfo;
import io.capstan.testkit.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code up} reports its local cluster while it installs and starts, with a stand-in install
 * script in a checkout of its own (the real build takes minutes; its script is tested by {@code
 * ./test.sh} running it).
 */
class KubernetesInfrastructureTest {
  @TempDir Path home;

  @Test
  @DisplayName(
      "installing shows the install's latest progress line, then starting, then failed with the"
          + " reason a component gave; no worker is started")
  void installThenStartFails() throws Exception {
    script(
        """
        #!/usr/bin/env bash
        echo "kubernetes: building Kubernetes v1.37.2"
        echo "kubernetes: [3/6] building kube-apiserver (2m00s so far)"
        bin=.capstan/tools/kubernetes/bin
        mkdir -p "$bin"
        for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
          printf '#!/bin/sh\\necho "%s cannot start here" >&2\\nexit 3\\n' "$b" > "$bin/$b"
          chmod +x "$bin/$b"
        done
        echo "kubernetes: installed"
        """);
    List<KubernetesInfo> changes = new CopyOnWriteArrayList<>();
    AtomicBoolean workerStarted = new AtomicBoolean();
    try (KubernetesInfrastructure infra =
        new KubernetesInfrastructure(
            KubeOptions.local(home, KubeSettings.defaults()),
            home.resolve("state/kubernetes"),
            target -> workerStarted.set(true),
            changes::add)) {
      infra.begin();
      KubernetesInfo failed =
          Eventually.await(
              "the start to fail", infra::info, i -> i.state().equals(KubernetesInfo.FAILED));

      assertThat(failed.detail()).contains("etcd exited with code 3").contains("cannot start here");
      assertThat(changes)
          .extracting(KubernetesInfo::state)
          .startsWith(KubernetesInfo.INSTALLING)
          .contains(KubernetesInfo.STARTING)
          .endsWith(KubernetesInfo.FAILED);
      assertThat(changes)
          .extracting(KubernetesInfo::detail)
          .contains("[3/6] building kube-apiserver (2m00s so far)");
      assertThat(workerStarted).isFalse();
      assertThat(Files.readString(home.resolve("state/kubernetes/install.log")))
          .contains("building Kubernetes v1.37.2");
    }
  }

  @Test
  @DisplayName("a failed install is reported with its exit code, its log and its last lines")
  void installFails() throws Exception {
    script(
        """
        #!/usr/bin/env bash
        echo "kubernetes: downloading modules"
        echo "go: k8s.io/kubernetes@v1.37.2: proxy unreachable" >&2
        exit 1
        """);
    try (KubernetesInfrastructure infra =
        new KubernetesInfrastructure(
            KubeOptions.local(home, KubeSettings.defaults()),
            home.resolve("state/kubernetes"),
            target -> {},
            info -> {})) {
      infra.begin();
      KubernetesInfo failed =
          Eventually.await(
              "the install to fail", infra::info, i -> i.state().equals(KubernetesInfo.FAILED));

      assertThat(failed.detail())
          .contains("install-kubernetes.sh failed with exit code 1")
          .contains("install.log")
          .contains("proxy unreachable");
      assertThat(failed.mode()).isEqualTo("local");
    }
  }

  private void script(String text) throws Exception {
    Path scripts = Files.createDirectories(home.resolve("scripts"));
    Path script = scripts.resolve("install-kubernetes.sh");
    Files.writeString(script, text);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
