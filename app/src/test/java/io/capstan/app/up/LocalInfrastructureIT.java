package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.activities.kube.KubeSettings;
import io.capstan.api.KubernetesInfo;
import io.capstan.app.kube.KubeOptions;
import io.capstan.app.kube.LocalCluster;
import io.capstan.app.process.ManagedProcess;
import io.capstan.testkit.Checkout;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What {@code capstan up} does with Kubernetes: it brings the local cluster up in the background,
 * accepts container tasks at once (they wait in their queue until the infrastructure worker polls),
 * reports the cluster in {@code GET /api/v1/info}, writes a kubeconfig that kubectl uses, and stops
 * it all on close; with {@code --no-local-infra} it refuses container tasks.
 */
class LocalInfrastructureIT {
  private static final String PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: early-container}
      spec:
        tasks:
          - name: first
            container: {image: registry.example/app:1.0, simulate: {duration: 200ms, output: hello}}
      """;

  @Test
  @DisplayName(
      "up starts the local cluster in the background, accepts a container pipeline while it"
          + " starts, runs it once ready, and stops the cluster on close")
  void localClusterComesUpBehindTheApi() throws Exception {
    Path state =
        Path.of("target", "local-infra-it", Long.toString(System.nanoTime())).toAbsolutePath();
    List<KubernetesInfo> changes = new CopyOnWriteArrayList<>();
    CapstanRuntime runtime =
        new CapstanRuntime(
                CapstanRuntime.Config.devServer(
                        0, FreePorts.next(), FreePorts.next(), state, TemporalBinary.require())
                    .withKube(
                        KubeOptions.local(
                            Checkout.root(),
                            KubeSettings.defaults()
                                .withUnschedulableTimeout(Duration.ofSeconds(10)))))
            .onKubernetesChange(changes::add);
    List<ManagedProcess> processes;
    try {
      runtime.start();
      assertThat(LocalCluster.binDir()).isDirectory();
      Http http = new Http(runtime.apiUrl());
      JsonNode early = Http.json(http.get("/api/v1/info")).path("kubernetes");
      assertThat(early.path("mode").asText()).isEqualTo("local");
      assertThat(early.path("state").asText()).isIn("starting", "ready");

      HttpResponse<String> submitted = http.post("/api/v1/runs", "application/yaml", PIPELINE);
      assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
      String id = Http.json(submitted).path("id").asText();
      JsonNode run =
          Eventually.get(
              Duration.ofSeconds(90),
              () -> {
                JsonNode r = Http.json(http.get("/api/v1/runs/" + id));
                assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("COMPLETED");
                return r;
              });
      assertThat(run.path("tasks").path("first").path("output").asText()).isEqualTo("hello");

      JsonNode ready = Http.json(http.get("/api/v1/info")).path("kubernetes");
      assertThat(ready.path("state").asText()).isEqualTo("ready");
      assertThat(ready.path("apiServer").asText()).startsWith("https://127.0.0.1:");
      Path kubeconfig = Path.of(ready.path("kubeconfig").asText());
      assertThat(kubeconfig).isEqualTo(state.resolve("kubernetes").resolve("kubeconfig"));
      assertThat(Http.json(http.get("/api/v1/info")).path("executors").toString())
          .contains("container");
      assertThat(changes)
          .extracting(KubernetesInfo::state)
          .contains(KubernetesInfo.STARTING, KubernetesInfo.READY);

      Process kubectl =
          new ProcessBuilder(
                  LocalCluster.binDir().resolve("kubectl").toString(),
                  "--kubeconfig",
                  kubeconfig.toString(),
                  "get",
                  "nodes",
                  "-o",
                  "name")
              .redirectErrorStream(true)
              .start();
      assertThat(kubectl.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String nodes = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(kubectl.exitValue()).as(nodes).isZero();
      assertThat(nodes).contains("node/sim-cpu-1", "node/sim-gpu-1");
      processes = runtime.localKubernetes().orElseThrow().processes();
      assertThat(processes).allMatch(ManagedProcess::isAlive);
    } finally {
      runtime.close();
    }
    assertThat(processes).noneMatch(ManagedProcess::isAlive);
    assertThat(Files.exists(state.resolve("kubernetes").resolve("etcd"))).isTrue();
  }

  @Test
  @DisplayName("without a cluster container tasks are refused at submit, naming the queue")
  void noClusterRefusesContainers() {
    CapstanRuntime runtime =
        new CapstanRuntime(
            CapstanRuntime.Config.devServer(
                    0,
                    FreePorts.next(),
                    FreePorts.next(),
                    Path.of("target", "no-infra-it", Long.toString(System.nanoTime()))
                        .toAbsolutePath(),
                    TemporalBinary.require())
                .withKube(KubeOptions.none()));
    try {
      runtime.start();
      Http http = new Http(runtime.apiUrl());
      assertThat(Http.json(http.get("/api/v1/info")).path("kubernetes").path("state").asText())
          .isEqualTo("disabled");
      HttpResponse<String> refused = http.post("/api/v1/runs", "application/yaml", PIPELINE);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
      assertThat(refused.body()).contains("no worker serves container tasks");
    } finally {
      runtime.close();
    }
  }
}
