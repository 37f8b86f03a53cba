package io.capstan.activities.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.definitions.executor.ContainerSimulation;
import io.capstan.definitions.executor.ContainerSpec;
import io.capstan.definitions.executor.EnvVar;
import io.capstan.definitions.executor.Resources;
import io.capstan.definitions.executor.Toleration;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The Job of a container task's attempt, its name, its namespace and its client")
class JobSpecsTest {
  private static final ContainerSpec SPEC =
      new ContainerSpec(
          "registry.example/train:0.9",
          List.of("train"),
          List.of("--data", "s3://lake"),
          List.of(EnvVar.of("MODE", "fast"), EnvVar.secret("TOKEN", "warehouse-token")),
          new Resources("4", "16Gi", 2),
          Map.of("capstan.io/gpu", "true"),
          List.of(new Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule")),
          new ContainerSimulation(Duration.ofSeconds(3), 7, 1, "model", null));

  @Test
  @DisplayName(
      "runs one pod once (backoffLimit 0, restartPolicy Never), with the image, command, args,"
          + " env (a secretRef as a Secret reference, never a value), resources, placement")
  void jobSpec() {
    Job job =
        JobSpecs.job(
            "train-abc-a2",
            "team-a",
            "pipeline-team-a-etl-x1",
            "train",
            2,
            SPEC,
            Duration.ofMinutes(30),
            Duration.ofHours(24));

    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getCompletions()).isEqualTo(1);
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1800L);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(86_400);
    assertThat(job.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "capstan")
        .containsEntry("capstan.io/run", "pipeline-team-a-etl-x1")
        .containsEntry("capstan.io/task", "train")
        .containsEntry("capstan.io/attempt", "2");
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getNodeSelector()).containsEntry("capstan.io/gpu", "true");
    assertThat(pod.getTolerations().get(0).getKey()).isEqualTo("nvidia.com/gpu");
    Container container = pod.getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("registry.example/train:0.9");
    assertThat(container.getCommand()).containsExactly("train");
    assertThat(container.getArgs()).containsExactly("--data", "s3://lake");
    assertThat(container.getEnv().get(0).getValue()).isEqualTo("fast");
    assertThat(container.getEnv().get(1).getValue()).isNull();
    assertThat(container.getEnv().get(1).getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("warehouse-token");
    assertThat(container.getEnv().get(1).getValueFrom().getSecretKeyRef().getKey())
        .isEqualTo("value");
    assertThat(container.getResources().getRequests().get("cpu").toString()).isEqualTo("4");
    assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo("16Gi");
    assertThat(container.getResources().getLimits().get("nvidia.com/gpu").toString())
        .isEqualTo("2");
    assertThat(container.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
  }

  @Test
  @DisplayName(
      "a container asking for GPUs tolerates the nvidia.com/gpu taint of GPU pools, once; one that"
          + " asks for none does not")
  void gpuToleration() {
    ContainerSpec gpus =
        new ContainerSpec(
            "registry.example/train:0.9",
            List.of("train"),
            List.of(),
            List.of(),
            new Resources(null, null, 1),
            Map.of(),
            List.of(new Toleration("dedicated", "Equal", "ml", "NoSchedule")),
            null);
    PodSpec pod =
        JobSpecs.job("t-a1", "team-a", "run", "t", 1, gpus, Duration.ofMinutes(1), Duration.ZERO)
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(pod.getTolerations())
        .extracting(t -> t.getKey() + ":" + t.getOperator() + ":" + t.getEffect())
        .containsExactly("dedicated:Equal:NoSchedule", "nvidia.com/gpu:Exists:NoSchedule");

    PodSpec own =
        JobSpecs.job("t-a1", "team-a", "run", "t", 1, SPEC, Duration.ofMinutes(1), Duration.ZERO)
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(own.getTolerations()).hasSize(1);

    ContainerSpec cpu =
        new ContainerSpec(
            "registry.example/etl:1",
            List.of(),
            List.of(),
            List.of(),
            new Resources("1", null, null),
            Map.of(),
            List.of(),
            null);
    assertThat(
            JobSpecs.job("t-a1", "team-a", "run", "t", 1, cpu, Duration.ofMinutes(1), Duration.ZERO)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getTolerations())
        .isNullOrEmpty();
  }

  @Test
  @DisplayName(
      "the simulate block becomes pod annotations: the first failAttempts exit 1, later ones"
          + " with exitCode")
  void simulationAnnotations() {
    assertThat(JobSpecs.simulation(SPEC.simulate(), 1))
        .containsEntry(SimulatedPods.DURATION, "3000ms")
        .containsEntry(SimulatedPods.EXIT_CODE, "1")
        .containsEntry(SimulatedPods.OUTPUT, "model")
        .doesNotContainKey(SimulatedPods.IMAGE_PULL_ERROR);
    assertThat(JobSpecs.simulation(SPEC.simulate(), 2)).containsEntry(SimulatedPods.EXIT_CODE, "7");
    assertThat(JobSpecs.simulation(null, 1))
        .containsEntry(SimulatedPods.DURATION, "0ms")
        .containsEntry(SimulatedPods.EXIT_CODE, "0");
  }

  @Test
  @DisplayName(
      "Job names are stable per run, task and attempt, distinct across runs, and fit the 63"
          + " characters of the job-name label")
  void names() {
    String name = JobNames.job("pipeline-default-etl-1", "transform", 3);
    assertThat(name).matches("transform-[0-9a-f]{10}-a3");
    assertThat(JobNames.job("pipeline-default-etl-1", "transform", 3)).isEqualTo(name);
    assertThat(JobNames.job("pipeline-default-etl-2", "transform", 3)).isNotEqualTo(name);
    String longName = JobNames.job("run", "A_Very.Long Task/Name".repeat(10), 1000);
    assertThat(longName).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    assertThat(JobNames.labelValue("pipeline-x/segment-3"))
        .matches("pipeline-x.segment-3-[0-9a-f]{16}");
    assertThat(JobNames.labelValue("x".repeat(80))).hasSizeLessThanOrEqualTo(63);
  }

  @Test
  @DisplayName(
      "a namespace template maps Capstan namespaces; one that gives no DNS label is refused")
  void namespaces() {
    assertThat(NamespaceMapping.IDENTITY.apply("team-a")).isEqualTo("team-a");
    assertThat(new NamespaceMapping("capstan-{namespace}").apply("team-a"))
        .isEqualTo("capstan-team-a");
    assertThatThrownBy(() -> new NamespaceMapping("Team_{namespace}"))
        .hasMessageContaining("DNS label");
    assertThatThrownBy(() -> new NamespaceMapping("capstan-{namespace}").apply("n".repeat(60)))
        .hasMessageContaining("not a Kubernetes namespace name");
  }

  @Test
  @DisplayName("the client never retries by itself: a 429 or a 5xx reaches Temporal's retry policy")
  void clientRetriesAreOff(@TempDir Path dir) throws Exception {
    Path kubeconfig =
        Files.writeString(
            dir.resolve("config"),
            """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: ctx, context: {cluster: c, user: u}}]
            current-context: ctx
            """);
    Config config = KubeClients.config(kubeconfig, null);
    assertThat(config.getRequestRetryBackoffLimit()).isZero();
    assertThat(config.getMasterUrl()).startsWith("https://127.0.0.1:6443");
    assertThatThrownBy(() -> KubeClients.config(dir.resolve("missing"), null))
        .hasMessageContaining("cannot read the kubeconfig");
  }
}
