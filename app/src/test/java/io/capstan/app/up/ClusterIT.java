package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.app.cloud.SimulatedCloud;
import io.capstan.app.kube.LocalCluster;
import io.capstan.app.kube.LocalKubernetes;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import io.capstan.testkit.MotoServer;
import io.capstan.workers.WorkerRole;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Clusters end to end over HTTP: the API and the cluster workflow on a dev server, the
 * infrastructure worker as a process of its own (the shipped Role, the simulated cloud's endpoint),
 * moto as the cloud driven through the real AWS SDK, and the local control plane with kwok, where
 * the simulated cloud's linker registers a node per instance. What exists is asserted by listing
 * moto and the API server, not from Capstan's own account.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIT {
  private final Path state =
      Path.of("target", "cluster-it", Long.toString(System.nanoTime())).toAbsolutePath();

  private LocalKubernetes cluster;
  private KubernetesClient admin;
  private MotoServer moto;
  private AutoScalingClient autoScaling;
  private Ec2Client ec2;
  private SimulatedCloud linker;
  private CapstanRuntime runtime;
  private Http http;
  private Process worker;
  private int workers;
  private io.capstan.app.cloud.SimulatedGpuNodes gpuNodes;

  @BeforeAll
  void start() throws IOException {
    cluster = LocalCluster.get();
    admin = cluster.adminClient();
    moto = MotoServer.start();
    var credentials =
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(MotoServer.ACCESS_KEY, MotoServer.ACCESS_KEY));
    autoScaling =
        AutoScalingClient.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .endpointOverride(moto.endpoint())
            .region(Region.US_WEST_2)
            .credentialsProvider(credentials)
            .build();
    ec2 =
        Ec2Client.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .endpointOverride(moto.endpoint())
            .region(Region.US_WEST_2)
            .credentialsProvider(credentials)
            .build();
    runtime =
        new CapstanRuntime(
                CapstanRuntime.Config.devServer(
                        0, FreePorts.next(), FreePorts.next(), state, TemporalBinary.require())
                    .withRoles(EnumSet.of(WorkerRole.CONTROL_PLANE, WorkerRole.TASKS)))
            .start();
    // Each simulated GPU node gets a GPU worker of its own, as up gives them.
    gpuNodes = new io.capstan.app.cloud.SimulatedGpuNodes(runtime.client());
    linker =
        new SimulatedCloud(
                autoScaling, ec2, admin, new SimulatedCloud.Options(Duration.ofMillis(250)))
            .onGpuNodes(gpuNodes)
            .start();
    http = new Http(runtime.apiUrl());
    worker = startWorker();
    Eventually.await(
        "the infrastructure worker to poll",
        () -> Http.json(http.get("/api/v1/info")).path("executors").toString(),
        executors -> executors.contains("container"));
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (gpuNodes != null) {
      gpuNodes.close();
    }
    if (worker != null && worker.isAlive()) {
      worker.destroy();
      worker.waitFor(20, TimeUnit.SECONDS);
    }
    if (runtime != null) {
      runtime.close();
    }
    if (linker != null) {
      linker.close();
    }
    if (autoScaling != null) {
      autoScaling.close();
      ec2.close();
    }
    if (moto != null) {
      moto.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  @Test
  @DisplayName(
      "a two-pool cluster becomes Ready with the pools' labels and taints on every node, its groups"
          + " exist in moto with their sizes and tags, and deleting it leaves nothing in either")
  void twoPoolsReadyThenDeleted() {
    String id =
        submit(
            """
            apiVersion: capstan.io/v1
            kind: Cluster
            metadata: {name: it-two-pools}
            spec:
              provider: simulated
              region: us-west-2
              nodePools:
                - name: general
                  instanceType: m5.large
                  minSize: 1
                  desiredSize: 2
                  maxSize: 4
                  labels: {tier: standard}
                - name: gpu
                  instanceType: p4d.24xlarge
                  minSize: 1
                  maxSize: 2
                  spot: {maxPrice: "15.0"}
                  labels: {accelerator: a100}
                  taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
                  gpu: {perNode: 8}
                  simulate: {bootDelay: 1s}
              readyTimeout: 2m
            """);
    JsonNode ready = awaitPhase(id, "Ready", Duration.ofMinutes(2));

    assertThat(ready.path("status").asText()).isEqualTo("RUNNING");
    assertThat(ready.path("cluster").path("pools").path("general").path("ready").asInt())
        .isEqualTo(2);
    // The GPU node was burned in on its own GPU worker before the pool counted as Ready.
    assertThat(ready.path("cluster").path("events").toString())
        .contains("GPU nodes of gpu passed their burn-in")
        .doesNotContain("GpuValidationSkipped");
    List<Node> general = nodes("it-two-pools", "general");
    assertThat(general)
        .hasSize(2)
        .allSatisfy(
            node -> {
              assertThat(node.getMetadata().getLabels())
                  .containsEntry("tier", "standard")
                  .containsEntry("capstan.io/pool", "general");
              assertThat(node.getSpec().getProviderID())
                  .matches("aws:///us-west-2[a-d]/i-[0-9a-f]+");
              assertThat(node.getSpec().getTaints()).isNullOrEmpty();
            });
    List<Node> gpu = nodes("it-two-pools", "gpu");
    assertThat(gpu)
        .singleElement()
        .satisfies(
            node -> {
              assertThat(node.getMetadata().getLabels()).containsEntry("accelerator", "a100");
              assertThat(node.getSpec().getTaints())
                  .extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                  .containsExactly("nvidia.com/gpu=present:NoSchedule");
              assertThat(node.getStatus().getCapacity().get("nvidia.com/gpu"))
                  .isEqualTo(new Quantity("8"));
            });
    AutoScalingGroup generalGroup = group("capstan.default.it-two-pools.general");
    assertThat(generalGroup.minSize()).isEqualTo(1);
    assertThat(generalGroup.desiredCapacity()).isEqualTo(2);
    assertThat(generalGroup.maxSize()).isEqualTo(4);
    assertThat(generalGroup.tags())
        .extracting(t -> t.key() + "=" + t.value())
        .contains("capstan.io/cluster=default/it-two-pools", "capstan.io/pool=general");
    AutoScalingGroup gpuGroup = group("capstan.default.it-two-pools.gpu");
    assertThat(gpuGroup.mixedInstancesPolicy().instancesDistribution().spotMaxPrice())
        .isEqualTo("15.0");

    // Updates: an invalid one is refused with its reason; a scale runs.
    HttpResponse<String> refused =
        http.post(
            "/api/v1/runs/" + id + "/updates/scale",
            "application/json",
            "{\"pool\":\"general\",\"desired\":2,\"min\":3,\"max\":2}");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(refused.body()).contains("min 3 is more than max 2");
    HttpResponse<String> unknown =
        http.post(
            "/api/v1/runs/" + id + "/updates/scale",
            "application/json",
            "{\"pool\":\"gpuu\",\"desired\":1}");
    assertThat(unknown.statusCode()).isEqualTo(422);
    assertThat(unknown.body()).contains("unknown pool 'gpuu'");
    HttpResponse<String> scaled =
        http.post(
            "/api/v1/runs/" + id + "/updates/scale",
            "application/json",
            "{\"pool\":\"general\",\"desired\":3}");
    assertThat(scaled.statusCode()).as(scaled.body()).isIn(200, 202);
    Eventually.await(
        "general to have 3 Ready nodes",
        () -> nodes("it-two-pools", "general").stream().filter(ClusterIT::ready).count(),
        count -> count == 3);

    HttpResponse<String> deleted =
        http.post(
            "/api/v1/runs/" + id + "/updates/delete",
            "application/json",
            "{\"reason\":\"test over\"}");
    assertThat(deleted.statusCode()).as(deleted.body()).isIn(200, 202);
    JsonNode done = awaitStatus(id, "COMPLETED", Duration.ofMinutes(2));
    assertThat(done.path("cluster").path("phase").asText()).isEqualTo("Deleted");
    assertNothingLeft("it-two-pools");
  }

  @Test
  @DisplayName(
      "pools whose nodes never turn Ready or whose instances never boot fail the creation, saying"
          + " why, and the saga removes everything from moto and Kubernetes")
  void failedCreationLeavesNothing() {
    String id =
        submit(
            """
            apiVersion: capstan.io/v1
            kind: Cluster
            metadata: {name: it-saga}
            spec:
              provider: simulated
              region: us-west-2
              nodePools:
                - {name: general, instanceType: m5.large, minSize: 2, maxSize: 3}
                - name: broken
                  instanceType: m5.large
                  minSize: 1
                  maxSize: 1
                  simulate: {neverReady: true}
                - name: unbooted
                  instanceType: m5.large
                  minSize: 1
                  maxSize: 1
                  simulate: {neverBoot: true}
              readyTimeout: 15s
            """);
    JsonNode failed = awaitStatus(id, "FAILED", Duration.ofMinutes(2));

    assertThat(failed.path("error").asText())
        .contains("pool broken: 1 of 1 nodes not Ready within the readyTimeout (15s)")
        .contains("container runtime network not ready")
        .contains("pool unbooted: 1 of 1 nodes not Ready")
        .contains("has no node (instance never booted (simulated))")
        .contains("group capstan.default.it-saga.unbooted (1 instance)")
        .contains("Removed, in reverse order")
        .contains("group capstan.default.it-saga.general (2 instances)")
        .contains("group capstan.default.it-saga.broken (1 instance)");
    assertNothingLeft("it-saga");
  }

  @Test
  @DisplayName(
      "kill -9 of the worker during creation: a new worker finishes it, with no duplicate group or"
          + " instance")
  void workerKilledDuringCreation() throws InterruptedException {
    String id =
        submit(
            """
            apiVersion: capstan.io/v1
            kind: Cluster
            metadata: {name: it-crash}
            spec:
              provider: simulated
              region: us-west-2
              nodePools:
                - name: slow
                  instanceType: m5.large
                  minSize: 2
                  maxSize: 3
                  simulate: {bootDelay: 8s}
              readyTimeout: 3m
            """);
    Eventually.await(
        "the group to exist in moto",
        () ->
            autoScaling
                .describeAutoScalingGroups(
                    b -> b.autoScalingGroupNames("capstan.default.it-crash.slow"))
                .autoScalingGroups()
                .size(),
        count -> count == 1);
    worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    worker = startWorker();

    JsonNode ready = awaitPhase(id, "Ready", Duration.ofMinutes(3));

    assertThat(ready.path("cluster").path("pools").path("slow").path("ready").asInt()).isEqualTo(2);
    assertThat(
            autoScaling.describeAutoScalingGroupsPaginator().autoScalingGroups().stream()
                .filter(g -> g.autoScalingGroupName().contains("it-crash")))
        .singleElement()
        .satisfies(g -> assertThat(g.instances()).hasSize(2));
    assertThat(nodes("it-crash", "slow")).hasSize(2);
    http.post("/api/v1/runs/" + id + "/updates/delete", "application/json", "{}");
    awaitStatus(id, "COMPLETED", Duration.ofMinutes(2));
    assertNothingLeft("it-crash");
  }

  @Test
  @DisplayName(
      "autoscaling: a pending pod that needs GPUs grows the GPU pool and lands there; idle nodes"
          + " shrink the general pool after the scale-down delay")
  void autoscales() {
    String id =
        submit(
            """
            apiVersion: capstan.io/v1
            kind: Cluster
            metadata: {name: it-scale}
            spec:
              provider: simulated
              region: us-west-2
              nodePools:
                - {name: general, instanceType: m5.large, minSize: 1, desiredSize: 2, maxSize: 3}
                - name: gpu
                  instanceType: p4d.24xlarge
                  minSize: 0
                  maxSize: 2
                  taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
                  gpu: {perNode: 8}
              autoscaling: {enabled: true, maxNodes: 5, scaleDownDelay: 4s}
              readyTimeout: 2m
            """);
    awaitPhase(id, "Ready", Duration.ofMinutes(2));
    Pod training =
        admin
            .pods()
            .inNamespace("default")
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("it-scale-train")
                    .endMetadata()
                    .withNewSpec()
                    .withNodeSelector(
                        Map.of("capstan.io/cluster", "it-scale", "capstan.io/pool", "gpu"))
                    .addNewToleration()
                    .withKey("nvidia.com/gpu")
                    .withOperator("Exists")
                    .withEffect("NoSchedule")
                    .endToleration()
                    .addNewContainer()
                    .withName("train")
                    .withImage("registry.example/train:1")
                    .withNewResources()
                    .addToRequests("cpu", new Quantity("4"))
                    .addToRequests("nvidia.com/gpu", new Quantity("8"))
                    .addToLimits("nvidia.com/gpu", new Quantity("8"))
                    .endResources()
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    try {
      awaitOrShow(
          id,
          "the training pod to be bound to a node of the GPU pool",
          Duration.ofMinutes(2),
          () -> {
            Pod pod =
                admin
                    .pods()
                    .inNamespace("default")
                    .withName(training.getMetadata().getName())
                    .get();
            return pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
          },
          node ->
              !node.isEmpty()
                  && nodes("it-scale", "gpu").stream()
                      .anyMatch(n -> n.getMetadata().getName().equals(node)));
      JsonNode grown = Http.json(http.get("/api/v1/runs/" + id));
      assertThat(grown.path("cluster").path("events").toString())
          .contains("scale up gpu 0 → 1: 1 pod unschedulable (cpu 4000m, 8 GPUs)");

      JsonNode shrunk =
          Eventually.await(
              "the idle general pool to shrink to its minimum",
              Duration.ofMinutes(2),
              () -> Http.json(http.get("/api/v1/runs/" + id)),
              run ->
                  run.path("cluster").path("pools").path("general").path("desired").asInt() == 1);
      assertThat(shrunk.path("cluster").path("events").toString())
          .contains("scale down general 2 → 1");
      Eventually.await(
          "general to have one node left",
          () -> nodes("it-scale", "general").size(),
          count -> count == 1);
    } finally {
      admin.pods().inNamespace("default").withName("it-scale-train").delete();
      http.post("/api/v1/runs/" + id + "/updates/delete", "application/json", "{}");
    }
    awaitStatus(id, "COMPLETED", Duration.ofMinutes(2));
    assertNothingLeft("it-scale");
  }

  // ---------------------------------------------------------------------------------------------

  /** {@link Eventually#await}, and on failure the cluster's events, which say why. */
  private <T> void awaitOrShow(
      String id,
      String what,
      Duration timeout,
      java.util.function.Supplier<T> read,
      java.util.function.Predicate<T> done) {
    try {
      Eventually.await(what, timeout, read, done);
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + "; the cluster: "
              + Http.json(http.get("/api/v1/runs/" + id)).path("cluster").path("events"),
          e);
    }
  }

  private String submit(String yaml) {
    HttpResponse<String> response = http.post("/api/v1/runs", "application/yaml", yaml);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return Http.json(response).path("id").asText();
  }

  private JsonNode awaitPhase(String id, String phase, Duration timeout) {
    return Eventually.await(
        "cluster " + id + " to be " + phase,
        timeout,
        () -> Http.json(http.get("/api/v1/runs/" + id)),
        run -> {
          String now = run.path("cluster").path("phase").asText();
          if (!now.equals(phase)
              && (now.equals("Failed") || run.path("status").asText().equals("FAILED"))) {
            throw new AssertionError("the cluster failed: " + run);
          }
          return now.equals(phase);
        });
  }

  private JsonNode awaitStatus(String id, String status, Duration timeout) {
    return Eventually.await(
        "run " + id + " to be " + status,
        timeout,
        () -> Http.json(http.get("/api/v1/runs/" + id)),
        run -> run.path("status").asText().equals(status));
  }

  private List<Node> nodes(String clusterName, String pool) {
    return admin
        .nodes()
        .withLabel("capstan.io/cluster", clusterName)
        .withLabel("capstan.io/pool", pool)
        .list()
        .getItems();
  }

  private static boolean ready(Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  private AutoScalingGroup group(String name) {
    return autoScaling
        .describeAutoScalingGroups(b -> b.autoScalingGroupNames(name))
        .autoScalingGroups()
        .get(0);
  }

  /** Nothing of the cluster in moto (groups, running instances, launch templates) or Kubernetes. */
  private void assertNothingLeft(String clusterName) {
    assertThat(
            autoScaling.describeAutoScalingGroupsPaginator().autoScalingGroups().stream()
                .filter(
                    g ->
                        g.autoScalingGroupName()
                            .startsWith("capstan.default." + clusterName + ".")))
        .as("groups left in moto")
        .isEmpty();
    assertThat(
            ec2.describeInstancesPaginator().reservations().stream()
                .flatMap(r -> r.instances().stream())
                .filter(
                    i ->
                        i.tags().stream()
                            .anyMatch(
                                t ->
                                    t.key().equals("capstan.io/cluster")
                                        && t.value().equals("default/" + clusterName)))
                .filter(i -> !i.state().nameAsString().equals("terminated")))
        .as("instances left running in moto")
        .isEmpty();
    Eventually.await(
        "the cluster's nodes to be gone from Kubernetes",
        () -> admin.nodes().withLabel("capstan.io/cluster", clusterName).list().getItems().size(),
        count -> count == 0);
  }

  private Process startWorker() {
    workers++;
    return WorkerProcess.infrastructure(
        runtime,
        cluster.workerKubeconfig(),
        "infra-" + workers,
        state,
        state.resolve("worker-" + workers + ".log"),
        "--simulated-aws-endpoint",
        moto.endpoint().toString());
  }
}
