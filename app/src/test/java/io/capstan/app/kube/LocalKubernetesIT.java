package io.capstan.app.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.activities.kube.KubeClients;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The local control plane itself: real API server, controllers and scheduler, kwok nodes driven by
 * the project's stages, and the shipped worker Role.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalKubernetesIT {
  private LocalKubernetes cluster;
  private KubernetesClient admin;

  @BeforeAll
  void start() {
    cluster = LocalCluster.get();
    admin = cluster.adminClient();
  }

  @AfterAll
  void stop() {
    if (admin != null) {
      admin.close();
    }
  }

  @Test
  @DisplayName("simulated nodes are Ready, with their capacity, labels and the GPU node's taint")
  void nodesAreReady() {
    List<Node> nodes =
        admin.nodes().withLabel("capstan.io/simulated", "true").list().getItems().stream()
            .filter(n -> !n.getMetadata().getName().startsWith("sim-broken"))
            .toList();
    assertThat(nodes)
        .extracting(n -> n.getMetadata().getName())
        .containsExactlyInAnyOrder("sim-cpu-1", "sim-cpu-2", "sim-cpu-3", "sim-gpu-1");
    assertThat(nodes)
        .allSatisfy(
            n ->
                assertThat(n.getStatus().getConditions())
                    .anySatisfy(
                        c -> {
                          assertThat(c.getType()).isEqualTo("Ready");
                          assertThat(c.getStatus()).isEqualTo("True");
                        }));
    Node gpu = admin.nodes().withName("sim-gpu-1").get();
    assertThat(gpu.getStatus().getAllocatable().get("nvidia.com/gpu").getAmount()).isEqualTo("8");
    assertThat(gpu.getSpec().getTaints()).extracting(t -> t.getKey()).contains("nvidia.com/gpu");
    assertThat(Files.isReadable(cluster.adminKubeconfig())).isTrue();
  }

  @Test
  @DisplayName(
      "a Job's pod is scheduled, runs for its simulated duration and exits with its code;"
          + " the job controller marks the Job Failed")
  void jobPodsRunAndExit() {
    Job ok = admin.batch().v1().jobs().inNamespace("default").resource(job("exit-0", "0")).create();
    Job failing =
        admin.batch().v1().jobs().inNamespace("default").resource(job("exit-3", "3")).create();
    Job done =
        admin
            .batch()
            .v1()
            .jobs()
            .inNamespace("default")
            .withName(ok.getMetadata().getName())
            .waitUntilCondition(
                j ->
                    j.getStatus() != null
                        && j.getStatus().getSucceeded() != null
                        && j.getStatus().getSucceeded() == 1,
                30,
                TimeUnit.SECONDS);
    assertThat(done.getStatus().getSucceeded()).isEqualTo(1);
    Job failed =
        admin
            .batch()
            .v1()
            .jobs()
            .inNamespace("default")
            .withName(failing.getMetadata().getName())
            .waitUntilCondition(
                j ->
                    j.getStatus() != null
                        && j.getStatus().getFailed() != null
                        && j.getStatus().getFailed() == 1,
                30,
                TimeUnit.SECONDS);
    assertThat(failed.getStatus().getFailed()).isEqualTo(1);
    Pod pod =
        admin
            .pods()
            .inNamespace("default")
            .withLabel("job-name", "exit-3")
            .list()
            .getItems()
            .get(0);
    assertThat(pod.getSpec().getNodeName()).startsWith("sim-cpu-");
    assertThat(
            pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode())
        .isEqualTo(3);
    admin
        .batch()
        .v1()
        .jobs()
        .inNamespace("default")
        .withName("exit-0")
        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
        .delete();
    admin
        .batch()
        .v1()
        .jobs()
        .inNamespace("default")
        .withName("exit-3")
        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
        .delete();
  }

  @Test
  @DisplayName(
      "an eviction that would break a PDB is refused with 429; an evicted pod goes away and the PDB recounts")
  void evictionHonoursPdbs() {
    admin
        .policy()
        .v1()
        .podDisruptionBudget()
        .inNamespace("default")
        .resource(
            new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName("web-pdb")
                .endMetadata()
                .withNewSpec()
                .withMinAvailable(new IntOrString(1))
                .withNewSelector()
                .addToMatchLabels("app", "web")
                .endSelector()
                .endSpec()
                .build())
        .create();
    admin.pods().inNamespace("default").resource(pod("web-1")).create();
    awaitRunning("web-1");
    Eviction eviction =
        new io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder()
            .withNewMetadata()
            .withName("web-1")
            .withNamespace("default")
            .endMetadata()
            .build();
    assertThat(admin.pods().inNamespace("default").withName("web-1").evict(eviction))
        .as("one ready pod, minAvailable 1")
        .isFalse();
    admin.pods().inNamespace("default").resource(pod("web-2")).create();
    awaitRunning("web-2");
    admin
        .policy()
        .v1()
        .podDisruptionBudget()
        .inNamespace("default")
        .withName("web-pdb")
        .waitUntilCondition(
            p ->
                p.getStatus() != null
                    && p.getStatus().getDisruptionsAllowed() != null
                    && p.getStatus().getDisruptionsAllowed() == 1,
            30,
            TimeUnit.SECONDS);
    assertThat(admin.pods().inNamespace("default").withName("web-1").evict(eviction)).isTrue();
    admin
        .pods()
        .inNamespace("default")
        .withName("web-1")
        .waitUntilCondition(p -> p == null, 30, TimeUnit.SECONDS);
    admin
        .policy()
        .v1()
        .podDisruptionBudget()
        .inNamespace("default")
        .withName("web-pdb")
        .waitUntilCondition(p -> p.getStatus().getDisruptionsAllowed() == 0, 30, TimeUnit.SECONDS);
    admin.pods().inNamespace("default").withName("web-2").delete();
    admin.policy().v1().podDisruptionBudget().inNamespace("default").withName("web-pdb").delete();
  }

  @Test
  @DisplayName(
      "a node annotated never-ready stays NotReady and tainted, so a pod that must run there stays"
          + " Pending, unschedulable")
  void neverReadyNodes() {
    admin
        .nodes()
        .resource(
            new io.fabric8.kubernetes.api.model.NodeBuilder()
                .withNewMetadata()
                .withName("sim-broken-1")
                .addToLabels("capstan.io/simulated", "true")
                .addToLabels("kubernetes.io/hostname", "sim-broken-1")
                .addToAnnotations("capstan.io/simulate-never-ready", "true")
                .endMetadata()
                .build())
        .create();
    admin
        .pods()
        .inNamespace("default")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("stuck")
                .endMetadata()
                .withNewSpec()
                .withNodeSelector(Map.of("kubernetes.io/hostname", "sim-broken-1"))
                .addNewContainer()
                .withName("c")
                .withImage("busybox:1.36")
                .endContainer()
                .endSpec()
                .build())
        .create();
    Node broken =
        admin
            .nodes()
            .withName("sim-broken-1")
            .waitUntilCondition(
                n ->
                    n.getSpec().getTaints() != null
                        && n.getSpec().getTaints().stream()
                            .anyMatch(t -> t.getKey().equals("node.kubernetes.io/not-ready"))
                        && n.getStatus().getConditions() != null
                        && n.getStatus().getConditions().stream()
                            .anyMatch(
                                c -> "Ready".equals(c.getType()) && "False".equals(c.getStatus())),
                30,
                TimeUnit.SECONDS);
    assertThat(broken.getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("KubeletNotReady"));
    Pod stuck =
        admin
            .pods()
            .inNamespace("default")
            .withName("stuck")
            .waitUntilCondition(
                p ->
                    p.getStatus() != null
                        && p.getStatus().getConditions() != null
                        && p.getStatus().getConditions().stream()
                            .anyMatch(
                                c ->
                                    "Unschedulable".equals(c.getReason())
                                        && c.getMessage().contains("untolerated taint")),
                30,
                TimeUnit.SECONDS);
    // And stays so: the node never turns Ready, so its taint stays.
    Awaitility.await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                admin.pods().inNamespace("default").withName("stuck").get().getSpec().getNodeName()
                    == null);
    assertThat(stuck.getSpec().getNodeName()).isNull();
    admin.pods().inNamespace("default").withName("stuck").withGracePeriod(0).delete();
    admin.nodes().withName("sim-broken-1").delete();
  }

  @Test
  @DisplayName(
      "the worker's kubeconfig has the shipped Role: Jobs yes; Secrets, making Nodes, deleting"
          + " namespaces no")
  void workerRoleIsLimited() {
    try (KubernetesClient worker = KubeClients.connect(cluster.workerKubeconfig(), null)) {
      assertThat(worker.batch().v1().jobs().inNamespace("default").list().getItems()).isNotNull();
      assertThatThrownBy(() -> worker.secrets().inNamespace("default").list())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      // Nodes are the kubelet's (or the simulated cloud's) to register: a worker configures,
      // drains and removes its clusters' nodes, and never makes one.
      assertThatThrownBy(
              () ->
                  worker
                      .nodes()
                      .resource(
                          new io.fabric8.kubernetes.api.model.NodeBuilder()
                              .withNewMetadata()
                              .withName("rbac-probe")
                              .endMetadata()
                              .build())
                      .create())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      assertThatThrownBy(() -> worker.namespaces().withName("default").delete())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    } finally {
      admin.nodes().withName("rbac-probe").delete();
    }
  }

  private void awaitRunning(String name) {
    admin
        .pods()
        .inNamespace("default")
        .withName(name)
        .waitUntilCondition(
            p -> p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase()),
            30,
            TimeUnit.SECONDS);
  }

  private static Pod pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("app", "web")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("web")
        .withImage("nginx:1.27")
        .endContainer()
        .endSpec()
        .build();
  }

  private static Job job(String name, String exitCode) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withNewTemplate()
        .withNewMetadata()
        .withAnnotations(
            Map.of(
                "capstan.io/simulate-duration", "500ms", "capstan.io/simulate-exit-code", exitCode))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .addNewContainer()
        .withName("task")
        .withImage("busybox:1.36")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
