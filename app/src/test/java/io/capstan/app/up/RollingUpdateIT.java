package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.capstan.app.cloud.SimulatedCloud;
import io.capstan.app.kube.LocalCluster;
import io.capstan.app.kube.LocalKubernetes;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import io.capstan.testkit.MotoServer;
import io.capstan.workers.WorkerRole;
import io.capstan.workflows.cluster.NodeActivities;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
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
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * Rolling updates end to end over HTTP: the API on a dev server, the control plane (cluster and
 * rollout workflows) and the infrastructure role together in a worker process of their own that a
 * test kills with SIGKILL, moto as the cloud, and the local control plane with kwok where the
 * simulated cloud's linker registers a node per instance. What the rollout did is asserted from
 * moto and the API server (a watch records every change of the pool's nodes and the workloads'
 * pods, and checks the rollout's promises after each one), not only from Capstan's own account.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RollingUpdateIT {
  private static final String HOSTNAME = "kubernetes.io/hostname";

  private final Path state =
      Path.of("target", "rolling-update-it", Long.toString(System.nanoTime())).toAbsolutePath();
  private final String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private final List<String> clusters = new CopyOnWriteArrayList<>();
  private final List<String> namespaces = new CopyOnWriteArrayList<>();

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
    // The workflows run in the worker process, not here: killing it kills them mid-step, and the
    // new process replays them from their histories.
    runtime =
        new CapstanRuntime(
                CapstanRuntime.Config.devServer(
                        0, FreePorts.next(), FreePorts.next(), state, TemporalBinary.require())
                    .withRoles(EnumSet.of(WorkerRole.TASKS)))
            .start();
    linker =
        new SimulatedCloud(
                autoScaling, ec2, admin, new SimulatedCloud.Options(Duration.ofMillis(250)))
            .start();
    http = new Http(runtime.apiUrl());
    worker = startWorker();
    Eventually.await(
        "the worker process to poll",
        () -> Http.json(http.get("/api/v1/info")).path("executors").toString(),
        executors -> executors.contains("container"));
  }

  @AfterAll
  void stop() throws InterruptedException {
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
    if (admin != null) {
      // Other tests of this JVM count the simulated nodes: leave none behind, whatever failed.
      for (String name : clusters) {
        admin.nodes().withLabel(NodeActivities.CLUSTER_LABEL, name).delete();
      }
      for (String namespace : namespaces) {
        admin.namespaces().withName(namespace).delete();
      }
      admin.close();
    }
    if (autoScaling != null) {
      autoScaling.close();
      ec2.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  @DisplayName(
      "a 20-node pool rolls onto version 2 with maxSurge 2 / maxUnavailable 1: never fewer than 19"
          + " Ready schedulable nodes nor 9 Ready pods of a Deployment, each old node cordoned once,"
          + " DaemonSet pods never evicted, every instance in moto on version 2, the pool given back")
  void rollsTwentyNodes() {
    String clusterId = createCluster("ru-big", 20);
    String namespace = namespace("ru-big");
    daemonSet(namespace, "agent", "ru-big");
    for (String app : List.of("web-a", "web-b")) {
      deployment(namespace, app, 10, Map.of(NodeActivities.CLUSTER_LABEL, "ru-big"), true);
      budget(namespace, app + "-pdb", app, 1);
    }
    Eventually.await(
        "10 Ready pods of each Deployment and 20 of the DaemonSet",
        Duration.ofMinutes(1),
        () ->
            List.of(
                ready(namespace, "web-a"), ready(namespace, "web-b"), ready(namespace, "agent")),
        counts -> counts.equals(List.of(10, 10, 20)));
    awaitBudget(namespace, "web-a-pdb", 1);
    awaitBudget(namespace, "web-b-pdb", 1);
    AutoScalingGroup before = group("ru-big");
    Set<String> old = ids(inService(before));
    assertThat(inService(before))
        .hasSize(20)
        .allSatisfy(i -> assertThat(version(i)).isEqualTo("1"));
    Map<String, String> oldNodes = nodeNames("ru-big");
    assertThat(oldNodes.values()).containsExactlyInAnyOrderElementsOf(old);

    try (RolloutWatch watch =
        RolloutWatch.start(
            admin, "ru-big", "general", namespace, 19, Map.of("web-a", 9, "web-b", 9))) {
      Instant started = Instant.now();
      String id =
          submit(
              rollout(
                  "ru-big",
                  "{maxSurge: 2, maxUnavailable: 1, drainTimeout: 3m, podEvictionTimeout: 1m}"));
      awaitRollout(
          id, "to roll", Duration.ofMinutes(1), r -> r.path("rollout").path("batch").asInt() >= 1);
      // While the rollout holds the pool, the cluster refuses to scale it.
      HttpResponse<String> held =
          http.post(
              "/api/v1/runs/" + clusterId + "/updates/scale",
              "application/json",
              "{\"pool\":\"general\",\"desired\":21}");
      assertThat(held.statusCode()).as(held.body()).isEqualTo(422);
      assertThat(held.body()).contains("cannot be scaled while rollout");

      JsonNode done =
          awaitRollout(
              id, "to complete", Duration.ofMinutes(4), r -> "COMPLETED".equals(status(r)));
      Duration took = Duration.between(started, Instant.now());
      watch.close();
      Map<String, Duration> perNode = watch.cordonToGone();
      System.out.printf(
          "RollingUpdateIT: 20 nodes rolled in %.1f s from submit to COMPLETED (%.2f s per node,"
              + " %d batches); the pool's nodes changed during %.1f s (%.2f s per node); cordon"
              + " to node gone per old node: mean %.1f s, max %.1f s; fewest Ready schedulable"
              + " nodes %d, fewest Ready pods %s%n",
          took.toMillis() / 1000.0,
          took.toMillis() / 1000.0 / 20,
          done.path("rollout").path("batch").asInt(),
          watch.nodesChanging().toMillis() / 1000.0,
          watch.nodesChanging().toMillis() / 1000.0 / 20,
          perNode.values().stream().mapToLong(Duration::toMillis).average().orElse(0) / 1000.0,
          perNode.values().stream().mapToLong(Duration::toMillis).max().orElse(0) / 1000.0,
          watch.fewestReadyNodes(),
          watch.fewestReadyPods());

      assertThat(watch.breaches()).as(watch.report(200)).isEmpty();
      assertThat(watch.cordons())
          .as("cordons per node")
          .containsOnlyKeys(oldNodes.keySet())
          .allSatisfy((node, count) -> assertThat(count).isEqualTo(1));
      assertThat(perNode).as("old nodes cordoned, then gone").containsOnlyKeys(oldNodes.keySet());
      assertThat(watch.fewestReadyNodes()).isGreaterThanOrEqualTo(19);
      assertThat(watch.fewestReadyPods()).containsEntry("web-a", 9).containsEntry("web-b", 9);

      AutoScalingGroup after = group("ru-big");
      assertThat(after.desiredCapacity()).isEqualTo(20);
      assertThat(inService(after)).hasSize(20);
      assertThat(ids(after.instances())).doesNotContainAnyElementsOf(old);
      Map<String, String> newNodes = nodeNames("ru-big");
      assertThat(newNodes.values()).containsExactlyInAnyOrderElementsOf(ids(inService(after)));
      assertThat(done.path("rollout").path("outcome").asText())
          .contains("rolled 20 nodes of pool general onto launch template version 2");
      JsonNode pool = run(clusterId).path("cluster").path("pools").path("general");
      assertThat(pool.path("launchTemplateVersion").asText()).isEqualTo("2");
      assertThat(pool.path("desired").asInt()).isEqualTo(20);
      assertThat(types(run(clusterId).path("cluster").path("events")))
          .contains("RolloutStarted", "RolloutEnded");
      HttpResponse<String> free =
          http.post(
              "/api/v1/runs/" + clusterId + "/updates/scale",
              "application/json",
              "{\"pool\":\"general\",\"desired\":20}");
      assertThat(free.statusCode())
          .as("the pool is the cluster's again: " + free.body())
          .isIn(200, 202);
      // What the new instances were launched from, as the cloud and the cluster told it (before
      // the cluster's deletion takes its template away).
      assertThat(inService(after))
          .allSatisfy(i -> assertThat(version(i)).as(i.instanceId()).isEqualTo("2"));
      assertThat(groupVersion(after)).isEqualTo("2");
      assertThat(pool.path("nodes").findValuesAsText("version"))
          .as("versions of the cluster's nodes: " + pool.path("nodes"))
          .hasSize(20)
          .containsOnly("2");
      deleteCluster(clusterId);
    }
  }

  @Test
  @DisplayName(
      "a drain blocked by a PDB that allows nothing stops past drainTimeout naming the pod and its"
          + " budget; force deletes the pod and the rollout completes, skip keeps the node on"
          + " version 1 and schedulable, abort fails the run and puts the group back on version 1")
  void blockedDrainAnswered() {
    List<String> names = List.of("ru-force", "ru-skip", "ru-abort");
    Map<String, String> clusterIds = new LinkedHashMap<>();
    for (String name : names) {
      clusterIds.put(name, submit(clusterYaml(name, 2)));
      clusters.add(name);
    }
    clusterIds.values().forEach(id -> awaitPhase(id, "Ready", Duration.ofMinutes(2)));
    String namespace = namespace("ru-hold");
    Map<String, String> pinned = new LinkedHashMap<>();
    Map<String, Set<String>> old = new LinkedHashMap<>();
    for (String name : names) {
      String node = nodeNames(name).keySet().stream().sorted().findFirst().orElseThrow();
      pinned.put(name, node);
      old.put(name, ids(inService(group(name))));
      deployment(namespace, "hold-" + name, 1, Map.of(HOSTNAME, node), false);
      budget(namespace, "hold-" + name + "-pdb", "hold-" + name, 0);
    }
    for (String name : names) {
      Eventually.await(
          "the pod of hold-" + name + " to be Ready",
          () -> ready(namespace, "hold-" + name),
          n -> n == 1);
      awaitBudget(namespace, "hold-" + name + "-pdb", 0);
    }
    Map<String, String> pods = new LinkedHashMap<>();
    names.forEach(name -> pods.put(name, podsOf(namespace, "hold-" + name).get(0)));

    List<RolloutWatch> watches = new ArrayList<>();
    try {
      Map<String, String> rollouts = new LinkedHashMap<>();
      for (String name : names) {
        watches.add(RolloutWatch.start(admin, name, "general", null, 2, Map.of()));
        rollouts.put(
            name,
            submit(
                rollout(
                    name,
                    "{maxSurge: 1, maxUnavailable: 0, drainTimeout: 15s, podEvictionTimeout: 1m,"
                        + " force: true}")));
      }
      for (String name : names) {
        String node = pinned.get(name);
        Pod pod = admin.pods().inNamespace(namespace).withName(pods.get(name)).get();
        JsonNode blocked =
            awaitRollout(
                rollouts.get(name),
                "to be Blocked",
                Duration.ofMinutes(2),
                r -> r.path("rollout").path("phase").asText().equals("Blocked"));
        assertThat(blocked.path("rollout").path("reason").asText())
            .contains(
                "node " + node + ": drain past its timeout (15s)",
                "pod "
                    + namespace
                    + "/"
                    + pod.getMetadata().getName()
                    + " blocked by PDB hold-"
                    + name
                    + "-pdb, 0 disruptions allowed",
                "force (delete the blocking pods)");
        assertThat(blocked.path("rollout").path("nodes").path(node).path("phase").asText())
            .isEqualTo("Blocked");
        assertThat(admin.nodes().withName(node).get().getSpec().getUnschedulable()).isTrue();
      }

      signal(rollouts.get("ru-force"), "force", "{\"node\":\"" + pinned.get("ru-force") + "\"}");
      signal(rollouts.get("ru-skip"), "skip", "{\"node\":\"" + pinned.get("ru-skip") + "\"}");
      signal(rollouts.get("ru-abort"), "abort", "\"the test says so\"");

      // force: the pod the PDB protects is deleted, the drain ends and the rollout goes on.
      JsonNode forced =
          awaitRollout(
              rollouts.get("ru-force"),
              "to complete",
              Duration.ofMinutes(2),
              r -> "COMPLETED".equals(status(r)));
      String forcedNode = pinned.get("ru-force");
      String forcedPod = namespace + "/" + pods.get("ru-force");
      assertThat(events(forced, "Forced", forcedNode))
          .singleElement()
          .satisfies(e -> assertThat(e.path("message").asText()).contains("deleted " + forcedPod));
      assertThat(admin.pods().inNamespace(namespace).withName(pods.get("ru-force")).get()).isNull();
      assertThat(admin.nodes().withName(forcedNode).get()).isNull();
      AutoScalingGroup forcedGroup = group("ru-force");
      assertThat(inService(forcedGroup)).hasSize(2);
      assertThat(ids(forcedGroup.instances())).doesNotContainAnyElementsOf(old.get("ru-force"));

      // skip: the node stays, schedulable, on version 1; the rest rolls and the run completes.
      JsonNode skipped =
          awaitRollout(
              rollouts.get("ru-skip"),
              "to complete",
              Duration.ofMinutes(2),
              r -> "COMPLETED".equals(status(r)));
      String skippedNode = pinned.get("ru-skip");
      JsonNode skippedStatus = skipped.path("rollout").path("nodes").path(skippedNode);
      assertThat(skippedStatus.path("phase").asText()).isEqualTo("Skipped");
      assertThat(skippedStatus.path("version").asText()).isEqualTo("1");
      assertThat(skipped.path("rollout").path("outcome").asText()).contains("skipped", skippedNode);
      assertThat(admin.nodes().withName(skippedNode).get().getSpec().getUnschedulable())
          .isNotEqualTo(Boolean.TRUE);
      assertThat(ready(namespace, "hold-ru-skip")).isEqualTo(1);
      String skippedInstance = skippedStatus.path("instanceId").asText();
      AutoScalingGroup skipGroup = group("ru-skip");
      assertThat(ids(inService(skipGroup)))
          .contains(skippedInstance)
          .doesNotContainAnyElementsOf(
              old.get("ru-skip").stream().filter(i -> !i.equals(skippedInstance)).toList());

      // abort: the run fails saying so, the node is schedulable again and the group launches
      // version 1 again.
      JsonNode aborted =
          awaitRollout(
              rollouts.get("ru-abort"),
              "to fail",
              Duration.ofMinutes(2),
              r -> "FAILED".equals(status(r)));
      String abortedNode = pinned.get("ru-abort");
      assertThat(aborted.path("error").asText()).contains("aborted: the test says so");
      assertThat(admin.nodes().withName(abortedNode).get().getSpec().getUnschedulable())
          .isNotEqualTo(Boolean.TRUE);
      AutoScalingGroup abortGroup = group("ru-abort");
      assertThat(groupVersion(abortGroup)).isEqualTo("1");
      assertThat(ids(inService(abortGroup)))
          .contains(instanceOf(admin.nodes().withName(abortedNode).get()));
      JsonNode abortCluster = run(clusterIds.get("ru-abort")).path("cluster");
      assertThat(abortCluster.path("pools").path("general").path("launchTemplateVersion").asText())
          .isEqualTo("1");
      assertThat(types(abortCluster.path("events"))).contains("RolloutStarted", "RolloutEnded");

      watches.forEach(RolloutWatch::close);
      for (RolloutWatch watch : watches) {
        assertThat(watch.breaches()).as(watch.report(100)).isEmpty();
      }
      // What the instances were launched from, as the cloud told it.
      assertThat(inService(forcedGroup))
          .allSatisfy(i -> assertThat(version(i)).as(i.instanceId()).isEqualTo("2"));
      assertThat(groupVersion(skipGroup)).isEqualTo("2");
      assertThat(inService(skipGroup))
          .allSatisfy(
              i ->
                  assertThat(version(i))
                      .as(i.instanceId())
                      .isEqualTo(i.instanceId().equals(skippedInstance) ? "1" : "2"));
      clusterIds.values().forEach(id -> requestDelete(id));
      clusterIds.values().forEach(id -> awaitStatus(id, "COMPLETED", Duration.ofMinutes(2)));
    } finally {
      watches.forEach(RolloutWatch::close);
    }
  }

  @Test
  @DisplayName(
      "a drain that fails on batch 2 with onFailure: rollback puts version 1 back everywhere: the"
          + " nodes already rolled are replaced, the group launches version 1, the run fails as"
          + " rolled back")
  void rollbackOnBatchTwo() {
    String name = "ru-back";
    String clusterId = submit(clusterYaml(name, 3));
    clusters.add(name);
    awaitPhase(clusterId, "Ready", Duration.ofMinutes(2));
    String namespace = namespace("ru-back");
    String rollout =
        submit(
            rollout(
                    name,
                    "{maxSurge: 1, maxUnavailable: 0, drainTimeout: 10s, podEvictionTimeout: 1m}")
                .replace("onFailure: pause", "onFailure: rollback\n  soak: 20s"));
    // Batch 1 is done while the rollout soaks; batch 2 drains the first old node still Pending.
    JsonNode soaking =
        awaitRollout(
            rollout,
            "to soak after batch 1",
            Duration.ofMinutes(2),
            r -> r.path("rollout").path("phase").asText().equals("Soaking"));
    String next = null;
    for (var node : soaking.path("rollout").path("nodes").properties()) {
      if (next == null && node.getValue().path("phase").asText().equals("Pending")) {
        next = node.getKey();
      }
    }
    assertThat(next).as("an old node waits for batch 2").isNotNull();
    deployment(namespace, "hold-back", 1, Map.of(HOSTNAME, next), false);
    budget(namespace, "hold-back-pdb", "hold-back", 0);
    Eventually.await(
        "the pod of hold-back to be Ready", () -> ready(namespace, "hold-back"), n -> n == 1);
    awaitBudget(namespace, "hold-back-pdb", 0);

    JsonNode done = awaitStatus(rollout, "FAILED", Duration.ofMinutes(3));
    assertThat(done.path("error").asText())
        .contains("rolled back to version 1", "node " + next, "blocked by PDB hold-back-pdb");
    assertThat(done.path("rollout").path("phase").asText()).isEqualTo("RolledBack");
    AutoScalingGroup back = group(name);
    assertThat(inService(back)).hasSize(3);
    assertThat(inService(back))
        .allSatisfy(i -> assertThat(version(i)).as(i.instanceId()).isEqualTo("1"));
    assertThat(groupVersion(back)).isEqualTo("1");
    assertThat(admin.nodes().withName(next).get().getSpec().getUnschedulable())
        .isNotEqualTo(Boolean.TRUE);
    JsonNode cluster = run(clusterId).path("cluster");
    assertThat(cluster.path("pools").path("general").path("launchTemplateVersion").asText())
        .isEqualTo("1");
    deleteCluster(clusterId);
  }

  @Test
  @DisplayName(
      "kill -9 of the worker process (control plane and infrastructure) mid-drain: a new process"
          + " finishes the rollout with the drain's start kept, each node cordoned once and each"
          + " old instance terminated once")
  void workerKilledMidDrain() throws InterruptedException {
    String clusterId = createCluster("ru-crash", 2);
    String namespace = namespace("ru-crash");
    String node = nodeNames("ru-crash").keySet().stream().sorted().findFirst().orElseThrow();
    deployment(namespace, "hold", 1, Map.of(HOSTNAME, node), false);
    budget(namespace, "hold-pdb", "hold", 0);
    Eventually.await("the hold pod to be Ready", () -> ready(namespace, "hold"), n -> n == 1);
    awaitBudget(namespace, "hold-pdb", 0);
    Set<String> old = ids(inService(group("ru-crash")));

    try (RolloutWatch watch = RolloutWatch.start(admin, "ru-crash", "general", null, 2, Map.of())) {
      String id =
          submit(
              rollout(
                  "ru-crash",
                  "{maxSurge: 1, maxUnavailable: 0, drainTimeout: 90s, podEvictionTimeout: 1m}"));
      JsonNode draining =
          awaitRollout(
              id,
              "to drain " + node,
              Duration.ofMinutes(1),
              r ->
                  r.path("rollout")
                          .path("nodes")
                          .path(node)
                          .path("phase")
                          .asText()
                          .equals("Draining")
                      && !events(r, "Draining", node).isEmpty());
      JsonNode drainStarted = events(draining, "Draining", node).get(0);

      Process killed = worker;
      Instant killedAt = Instant.now();
      killed.destroyForcibly();
      assertThat(killed.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(killed.exitValue()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
      worker = startWorker();
      admin
          .policy()
          .v1()
          .podDisruptionBudget()
          .inNamespace(namespace)
          .withName("hold-pdb")
          .delete();

      JsonNode done =
          awaitRollout(
              id, "to complete", Duration.ofMinutes(3), r -> "COMPLETED".equals(status(r)));
      watch.close();
      Instant drained = Instant.parse(events(done, "Drained", node).get(0).path("at").asText());
      System.out.printf(
          "RollingUpdateIT: worker killed %.1f s into the drain of %s; drained %.1f s after the"
              + " kill; rollout completed %.1f s after the kill%n",
          Duration.between(Instant.parse(drainStarted.path("at").asText()), killedAt).toMillis()
              / 1000.0,
          node,
          Duration.between(killedAt, drained).toMillis() / 1000.0,
          Duration.between(killedAt, Instant.now()).toMillis() / 1000.0);

      assertThat(events(done, "Draining", node))
          .as("the drain began once, when it began")
          .containsExactly(drainStarted);
      assertThat(events(done, "Cordoned", node)).hasSize(1);
      assertThat(events(done, "Terminated", node)).hasSize(1);
      assertThat(watch.breaches()).as(watch.report(100)).isEmpty();
      assertThat(watch.cordons())
          .containsEntry(node, 1)
          .allSatisfy((n, c) -> assertThat(c).isEqualTo(1));

      AutoScalingGroup after = group("ru-crash");
      Set<String> fresh = ids(inService(after));
      assertThat(inService(after)).hasSize(2);
      assertThat(fresh).doesNotContainAnyElementsOf(old);
      // Every instance the cluster ever had: the two old ones terminated, the two new ones
      // running, and nothing else launched or terminated on the way.
      Map<String, String> states = instanceStates("ru-crash");
      assertThat(states.keySet()).containsExactlyInAnyOrderElementsOf(union(old, fresh));
      old.forEach(i -> assertThat(states.get(i)).as(i).isIn("shutting-down", "terminated"));
      fresh.forEach(i -> assertThat(states.get(i)).as(i).isEqualTo("running"));
      // What the new instances were launched from, as the cloud told it.
      assertThat(inService(after))
          .allSatisfy(i -> assertThat(version(i)).as(i.instanceId()).isEqualTo("2"));
      deleteCluster(clusterId);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private String createCluster(String name, int nodes) {
    clusters.add(name);
    String id = submit(clusterYaml(name, nodes));
    awaitPhase(id, "Ready", Duration.ofMinutes(2));
    return id;
  }

  /** A simulated cluster whose one pool {@code general} launches its own template's version 1. */
  private static String clusterYaml(String name, int nodes) {
    return """
        apiVersion: capstan.io/v1
        kind: Cluster
        metadata: {name: %s}
        spec:
          provider: simulated
          region: us-west-2
          nodePools:
            - name: general
              instanceType: m5.large
              launchTemplate: {name: %s-node, version: "1"}
              minSize: 1
              desiredSize: %d
              maxSize: 40
          readyTimeout: 2m
        """
        .formatted(name, name, nodes);
  }

  private static String rollout(String clusterName, String strategy) {
    return """
        apiVersion: capstan.io/v1
        kind: RollingUpdate
        metadata: {name: %s-to-v2}
        spec:
          cluster: %s
          nodePool: general
          launchTemplate: {version: "2"}
          strategy: %s
          onFailure: pause
        """
        .formatted(clusterName, clusterName, strategy);
  }

  private void deleteCluster(String id) {
    requestDelete(id);
    JsonNode done = awaitStatus(id, "COMPLETED", Duration.ofMinutes(2));
    assertThat(done.path("cluster").path("phase").asText()).isEqualTo("Deleted");
  }

  private void requestDelete(String id) {
    HttpResponse<String> deleted =
        http.post("/api/v1/runs/" + id + "/updates/delete", "application/json", "{}");
    assertThat(deleted.statusCode()).as(deleted.body()).isIn(200, 202);
  }

  private String submit(String yaml) {
    HttpResponse<String> response = http.post("/api/v1/runs", "application/yaml", yaml);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return Http.json(response).path("id").asText();
  }

  private void signal(String id, String name, String body) {
    HttpResponse<String> response =
        http.post("/api/v1/runs/" + id + "/signals/" + name, "application/json", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
  }

  /** The run as the API shows it; missing while the API cannot answer (its workers restarting). */
  private JsonNode run(String id) {
    try {
      HttpResponse<String> response = http.get("/api/v1/runs/" + id);
      return response.statusCode() == 200 ? Http.json(response) : MissingNode.getInstance();
    } catch (UncheckedIOException | IllegalStateException e) {
      return MissingNode.getInstance();
    }
  }

  private static String status(JsonNode run) {
    return run.path("status").asText();
  }

  /**
   * Waits, looking every half second (each look queries the workflow), until {@code done} holds;
   * fails at once when the run ends otherwise, or when the rollout pauses on a failure.
   */
  private JsonNode awaitRollout(
      String id, String what, Duration timeout, Predicate<JsonNode> done) {
    AtomicReference<JsonNode> last = new AtomicReference<>();
    try {
      return Awaitility.await("rollout " + id + " " + what)
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                JsonNode reading = run(id);
                last.set(reading);
                return reading;
              },
              reading -> {
                if (done.test(reading)) {
                  return true;
                }
                String status = status(reading);
                String phase = reading.path("rollout").path("phase").asText();
                if ((!status.isEmpty() && !status.equals("RUNNING")) || phase.equals("Paused")) {
                  throw new AssertionError(
                      "rollout "
                          + id
                          + " is "
                          + status
                          + "/"
                          + phase
                          + ", not "
                          + what
                          + ": "
                          + reading);
                }
                return false;
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "waited " + timeout + " for rollout " + id + " " + what + "; last saw " + last.get());
    }
  }

  private JsonNode awaitPhase(String id, String phase, Duration timeout) {
    return Eventually.await(
        "cluster " + id + " to be " + phase,
        timeout,
        () -> run(id),
        reading -> {
          String now = reading.path("cluster").path("phase").asText();
          if (!now.equals(phase) && (now.equals("Failed") || status(reading).equals("FAILED"))) {
            throw new AssertionError("the cluster failed: " + reading);
          }
          return now.equals(phase);
        });
  }

  private JsonNode awaitStatus(String id, String status, Duration timeout) {
    return Eventually.await(
        "run " + id + " to be " + status, timeout, () -> run(id), r -> status(r).equals(status));
  }

  /** The rollout's events of {@code type} for {@code node}, oldest first. */
  private static List<JsonNode> events(JsonNode run, String type, String node) {
    return StreamSupport.stream(run.path("rollout").path("events").spliterator(), false)
        .filter(e -> e.path("type").asText().equals(type) && e.path("node").asText().equals(node))
        .toList();
  }

  private static List<String> types(JsonNode events) {
    return StreamSupport.stream(events.spliterator(), false)
        .map(e -> e.path("type").asText())
        .toList();
  }

  // Moto -----------------------------------------------------------------------------------------

  private AutoScalingGroup group(String clusterName) {
    return autoScaling
        .describeAutoScalingGroups(
            b -> b.autoScalingGroupNames("capstan.default." + clusterName + ".general"))
        .autoScalingGroups()
        .get(0);
  }

  private static List<Instance> inService(AutoScalingGroup group) {
    return group.instances().stream()
        .filter(i -> "InService".equals(i.lifecycleStateAsString()))
        .toList();
  }

  private static Set<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::instanceId).collect(Collectors.toSet());
  }

  private String version(Instance instance) {
    // moto reports every instance of a template as launched from the default version; the image
    // an instance runs is the one of the version it was launched from.
    var launched =
        ec2.describeInstances(b -> b.instanceIds(instance.instanceId()))
            .reservations()
            .get(0)
            .instances()
            .get(0);
    var versions =
        ec2.describeLaunchTemplateVersions(b -> b.launchTemplateName(templateOf(launched)))
            .launchTemplateVersions();
    return versions.stream()
        .filter(v -> launched.imageId().equals(v.launchTemplateData().imageId()))
        .map(v -> Long.toString(v.versionNumber()))
        .findFirst()
        .orElse(null);
  }

  /**
   * The template of an instance's cluster, {@code CLUSTER-node} as {@link #clusterYaml} names it,
   * from the cluster tag its group propagated to it.
   */
  private static String templateOf(software.amazon.awssdk.services.ec2.model.Instance launched) {
    String cluster =
        launched.tags().stream()
            .filter(t -> "capstan.io/cluster".equals(t.key()))
            .map(software.amazon.awssdk.services.ec2.model.Tag::value)
            .findFirst()
            .orElseThrow();
    return cluster.substring(cluster.indexOf('/') + 1) + "-node";
  }

  /** The launch template version the group launches new instances from. */
  private static String groupVersion(AutoScalingGroup group) {
    if (group.mixedInstancesPolicy() != null) {
      return group.mixedInstancesPolicy().launchTemplate().launchTemplateSpecification().version();
    }
    return group.launchTemplate() == null ? null : group.launchTemplate().version();
  }

  /** Every EC2 instance the cluster ever had, by id, with its state. */
  private Map<String, String> instanceStates(String clusterName) {
    Map<String, String> states = new LinkedHashMap<>();
    ec2.describeInstancesPaginator(
            b ->
                b.filters(
                    Filter.builder()
                        .name("tag:capstan.io/cluster")
                        .values("default/" + clusterName)
                        .build()))
        .reservations()
        .forEach(
            r -> r.instances().forEach(i -> states.put(i.instanceId(), i.state().nameAsString())));
    return states;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
  }

  // Kubernetes -----------------------------------------------------------------------------------

  /** The pool's nodes in the API server: name to instance id. */
  private Map<String, String> nodeNames(String clusterName) {
    Map<String, String> names = new LinkedHashMap<>();
    for (Node node :
        admin
            .nodes()
            .withLabel(NodeActivities.CLUSTER_LABEL, clusterName)
            .withLabel(NodeActivities.POOL_LABEL, "general")
            .list()
            .getItems()) {
      names.put(node.getMetadata().getName(), instanceOf(node));
    }
    return names;
  }

  private static String instanceOf(Node node) {
    String providerId = node.getSpec().getProviderID();
    return providerId.substring(providerId.lastIndexOf('/') + 1);
  }

  private String namespace(String prefix) {
    String name = prefix + "-" + run;
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    namespaces.add(name);
    return name;
  }

  /** A pod spec for the nodes {@code selector} picks; {@code spread}: one pod of the app a node. */
  private static PodSpec spec(String app, Map<String, String> selector, boolean spread) {
    PodSpecBuilder spec =
        new PodSpecBuilder()
            .withNodeSelector(selector)
            .addNewContainer()
            .withName("main")
            .withImage("registry.example/" + app + ":1")
            .endContainer();
    if (spread) {
      spec.withNewAffinity()
          .withNewPodAntiAffinity()
          .addNewRequiredDuringSchedulingIgnoredDuringExecution()
          .withTopologyKey(HOSTNAME)
          .withNewLabelSelector()
          .addToMatchLabels("app", app)
          .endLabelSelector()
          .endRequiredDuringSchedulingIgnoredDuringExecution()
          .endPodAntiAffinity()
          .endAffinity();
    }
    return spec.build();
  }

  private void deployment(
      String namespace, String app, int replicas, Map<String, String> selector, boolean spread) {
    admin
        .apps()
        .deployments()
        .inNamespace(namespace)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(app)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .addToMatchLabels("app", app)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", app)
                .endMetadata()
                .withSpec(spec(app, selector, spread))
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  private void daemonSet(String namespace, String app, String clusterName) {
    admin
        .apps()
        .daemonSets()
        .inNamespace(namespace)
        .resource(
            new DaemonSetBuilder()
                .withNewMetadata()
                .withName(app)
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .addToMatchLabels("app", app)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", app)
                .endMetadata()
                .withSpec(spec(app, Map.of(NodeActivities.CLUSTER_LABEL, clusterName), false))
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  private void budget(String namespace, String name, String app, int maxUnavailable) {
    admin
        .policy()
        .v1()
        .podDisruptionBudget()
        .inNamespace(namespace)
        .resource(
            new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(maxUnavailable))
                .withNewSelector()
                .addToMatchLabels("app", app)
                .endSelector()
                .endSpec()
                .build())
        .create();
  }

  /** Waits until the disruption controller has counted the budget's pods. */
  private void awaitBudget(String namespace, String name, int disruptionsAllowed) {
    Eventually.await(
        "budget " + name + " to allow " + disruptionsAllowed + " disruptions",
        () -> admin.policy().v1().podDisruptionBudget().inNamespace(namespace).withName(name).get(),
        (PodDisruptionBudget p) ->
            p.getStatus() != null
                && p.getStatus().getObservedGeneration() != null
                && p.getStatus().getObservedGeneration() >= p.getMetadata().getGeneration()
                && p.getStatus().getCurrentHealthy().equals(p.getStatus().getExpectedPods())
                && p.getStatus().getDisruptionsAllowed() == disruptionsAllowed);
  }

  private List<String> podsOf(String namespace, String app) {
    return admin.pods().inNamespace(namespace).withLabel("app", app).list().getItems().stream()
        .map(p -> p.getMetadata().getName())
        .toList();
  }

  /** Pods of the app that are Ready and not terminating. */
  private int ready(String namespace, String app) {
    return (int)
        admin.pods().inNamespace(namespace).withLabel("app", app).list().getItems().stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .filter(
                p ->
                    p.getStatus() != null
                        && p.getStatus().getConditions() != null
                        && p.getStatus().getConditions().stream()
                            .anyMatch(
                                c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
            .count();
  }

  /**
   * The control plane and the infrastructure role as one {@code capstan worker} process: the
   * shipped roles, the simulated cloud's endpoint, the worker's kubeconfig.
   */
  private Process startWorker() {
    workers++;
    return WorkerProcess.infrastructure(
        runtime,
        cluster.workerKubeconfig(),
        "rollout-worker-" + workers,
        state,
        state.resolve("worker-" + workers + ".log"),
        "--role",
        WorkerRole.CONTROL_PLANE.id(),
        "--simulated-aws-endpoint",
        moto.endpoint().toString());
  }
}
