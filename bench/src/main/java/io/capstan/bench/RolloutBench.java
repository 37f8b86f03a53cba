package io.capstan.bench;

import io.capstan.activities.cloud.AwsSettings;
import io.capstan.app.cloud.LocalAws;
import io.capstan.app.cloud.SimulatedCloud;
import io.capstan.app.kube.LocalKubernetes;
import io.capstan.app.up.CapstanRuntime;
import io.capstan.definitions.ClusterDefinition;
import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.RollingUpdateDefinition;
import io.capstan.workers.WorkerSettings;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.cluster.ClusterInput;
import io.capstan.workflows.cluster.ClusterPhase;
import io.capstan.workflows.cluster.ClusterStatus;
import io.capstan.workflows.cluster.ClusterUpdates;
import io.capstan.workflows.cluster.ClusterWorkflow;
import io.capstan.workflows.rollout.RollingUpdateWorkflow;
import io.capstan.workflows.rollout.RolloutInput;
import io.capstan.workflows.rollout.RolloutPhase;
import io.capstan.workflows.rollout.RolloutStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Engine overhead of a rolling update per node: a simulated pool of {@code --nodes} (200) nodes
 * with zero boot and drain time rolled onto a new launch template version, {@code --surge} (10%) at
 * a time with none unavailable, from the start of the rollout's workflow to Completed, divided by
 * the nodes; against a baseline beside it doing the same batches by hand through the AWS SDK and
 * fabric8 (raise the group, wait for the new nodes Ready, cordon, look for pods to evict, terminate
 * with decrement, delete the node) with no Temporal in between. Both run on the same moto,
 * simulated cloud linker and local control plane.
 *
 * <pre>
 * java -cp "bench/target/capstan-bench-0.1.0-SNAPSHOT.jar:app/target/lib/*:app/target/capstan-app-0.1.0-SNAPSHOT.jar" \
 *     io.capstan.bench.RolloutBench [--nodes 200] [--surge 20] [--repeat 1]
 * </pre>
 */
public final class RolloutBench {
  private static final Duration LINKER_POLL = Duration.ofMillis(100);

  public static void main(String[] args) throws Exception {
    int nodes = BenchSetup.intFlag(args, "--nodes", 200);
    int surge = BenchSetup.intFlag(args, "--surge", Math.max(1, nodes / 10));
    int repeat = BenchSetup.intFlag(args, "--repeat", 1);
    Path home = Path.of(BenchSetup.stringFlag(args, "--home", ".")).toAbsolutePath().normalize();
    Path bin = home.resolve(".capstan/tools/kubernetes/bin");
    if (!LocalKubernetes.installed(bin)) {
      throw new IllegalStateException(
          "no Kubernetes binaries in " + bin + ": run scripts/install-kubernetes.sh first");
    }
    System.out.printf(
        "Capstan rollout benchmark: %d cores, Java %s; %d nodes, surge %d, zero boot and drain"
            + " time%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        nodes,
        surge);

    Path kubeState = Files.createTempDirectory("capstan-bench-kube");
    Path awsState = Files.createTempDirectory("capstan-bench-aws");
    LocalAws aws =
        new LocalAws(
            new LocalAws.Options(home, awsState, null, 0, null, true), ready -> {}, info -> {});
    aws.begin();
    try (LocalKubernetes cluster =
            LocalKubernetes.start(
                new LocalKubernetes.Options(bin, kubeState, null, null), s -> {});
        KubernetesClient admin = cluster.adminClient()) {
      while (aws.info().state() != LocalAws.State.READY) {
        if (aws.info().state() == LocalAws.State.FAILED) {
          throw new IllegalStateException("moto failed: " + aws.info().detail());
        }
        Thread.sleep(100);
      }
      AutoScalingClient autoScaling = aws.client(AutoScalingClient.builder()).build();
      Ec2Client ec2 = aws.client(Ec2Client.builder()).build();
      Path state = Files.createTempDirectory("capstan-bench-state");
      CapstanRuntime.Config config =
          BenchSetup.onCluster(
              state,
              cluster,
              WorkerSettings.defaults(false).withAws(new AwsSettings(null, aws.endpoint())));
      try (SimulatedCloud linker =
              new SimulatedCloud(autoScaling, ec2, admin, new SimulatedCloud.Options(LINKER_POLL))
                  .start();
          CapstanRuntime runtime = new CapstanRuntime(config).start()) {
        double[] engine = new double[repeat];
        double[] direct = new double[repeat];
        double[] ratios = new double[repeat];
        for (int i = 0; i < repeat; i++) {
          engine[i] = engine(runtime.client(), admin, nodes, surge);
          direct[i] = baseline(autoScaling, ec2, admin, nodes, surge);
          ratios[i] = engine[i] / direct[i];
          System.out.printf(
              "run %d: Capstan %.1f s (%.3f s per node), by hand %.1f s (%.3f s per node),"
                  + " ratio %.2f%n",
              i + 1, engine[i], engine[i] / nodes, direct[i], direct[i] / nodes, ratios[i]);
        }
        System.out.println();
        System.out.println("| measure | value |");
        System.out.println("| --- | --- |");
        System.out.printf(
            "| Capstan: rollout of %d nodes, surge %d, start to Completed (median of %d) | %.1f s"
                + " (%.3f s per node) |%n",
            nodes, surge, repeat, BenchSetup.median(engine), BenchSetup.median(engine) / nodes);
        System.out.printf(
            "| by hand: the same batches through the SDK and fabric8 | %.1f s (%.3f s per node) |%n",
            BenchSetup.median(direct), BenchSetup.median(direct) / nodes);
        System.out.printf(
            "| ratio Capstan / by hand (median of %d pairs) | %.2f |%n",
            repeat, BenchSetup.median(ratios));
      } finally {
        autoScaling.close();
        ec2.close();
      }
    } finally {
      aws.close();
    }
  }

  /** Seconds from starting the rollout's workflow to Completed; the cluster around it untimed. */
  private static double engine(WorkflowClient client, KubernetesClient admin, int nodes, int surge)
      throws InterruptedException {
    String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    String yaml =
        "apiVersion: capstan.io/v1\nkind: Cluster\nmetadata: {name: "
            + name
            + "}\nspec:\n  provider: simulated\n  region: us-west-2\n  readyTimeout: 20m\n"
            + "  nodePools:\n    - {name: general, instanceType: m5.large, minSize: 1,"
            + " desiredSize: "
            + nodes
            + ", maxSize: "
            + (nodes + surge)
            + ", launchTemplate: {name: "
            + name
            + ", version: \"1\"}}\n";
    ClusterDefinition definition = (ClusterDefinition) DefinitionParser.parse(yaml).get(0);
    ClusterWorkflow cluster =
        client.newWorkflowStub(
            ClusterWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .setWorkflowId("cluster-bench-" + name)
                .build());
    WorkflowClient.start(cluster::run, ClusterInput.create(definition));
    while (true) {
      ClusterStatus status = cluster.status();
      if (status != null && status.phase() == ClusterPhase.Ready) {
        break;
      }
      if (status != null && status.phase() == ClusterPhase.Failed) {
        throw new IllegalStateException("the bench cluster failed: " + status.failure());
      }
      Thread.sleep(50);
    }
    RollingUpdateDefinition rollout =
        (RollingUpdateDefinition)
            DefinitionParser.parse(
                    "apiVersion: capstan.io/v1\nkind: RollingUpdate\nmetadata: {name: "
                        + name
                        + "}\nspec:\n  cluster: "
                        + name
                        + "\n  nodePool: general\n  launchTemplate: {version: \"2\"}\n"
                        + "  strategy: {maxSurge: "
                        + surge
                        + ", maxUnavailable: 0}\n")
                .get(0);
    RollingUpdateWorkflow stub =
        client.newWorkflowStub(
            RollingUpdateWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .setWorkflowId("rollingupdate-bench-" + name)
                .build());
    long t0 = System.nanoTime();
    WorkflowClient.start(stub::run, RolloutInput.create(rollout, "cluster-bench-" + name));
    RolloutStatus done = WorkflowStub.fromTyped(stub).getResult(RolloutStatus.class);
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (done.phase() != RolloutPhase.Completed) {
      throw new IllegalStateException("the bench rollout ended " + done.phase());
    }
    cluster.delete(new ClusterUpdates.Delete("benchmark over"));
    WorkflowStub.fromTyped(cluster).getResult(ClusterStatus.class);
    awaitNodes(admin, name, 0, Set.of());
    return seconds;
  }

  /** Seconds to roll a group made through the SDK, batch by batch, by hand. */
  private static double baseline(
      AutoScalingClient autoScaling, Ec2Client ec2, KubernetesClient admin, int nodes, int surge)
      throws InterruptedException {
    String name = "hand-" + UUID.randomUUID().toString().substring(0, 8);
    String group = name + "-general";
    ec2.createLaunchTemplate(
        b ->
            b.launchTemplateName(name)
                .launchTemplateData(d -> d.imageId("ami-12c6146b").instanceType("m5.large")));
    autoScaling.createAutoScalingGroup(
        b ->
            b.autoScalingGroupName(group)
                .minSize(1)
                .maxSize(nodes + surge)
                .desiredCapacity(nodes)
                .launchTemplate(t -> t.launchTemplateName(name).version("1"))
                .availabilityZones("us-west-2a")
                .tags(
                    t ->
                        t.resourceId(group)
                            .resourceType("auto-scaling-group")
                            .key("capstan.io/cluster")
                            .value("default/" + name)
                            .propagateAtLaunch(true),
                    t ->
                        t.resourceId(group)
                            .resourceType("auto-scaling-group")
                            .key("capstan.io/pool")
                            .value("general")
                            .propagateAtLaunch(true)));
    awaitNodes(admin, name, nodes, Set.of());
    long t0 = System.nanoTime();
    ec2.createLaunchTemplateVersion(
        b ->
            b.launchTemplateName(name)
                .launchTemplateData(d -> d.imageId("ami-12c6146b").instanceType("m5.large")));
    autoScaling.updateAutoScalingGroup(
        b ->
            b.autoScalingGroupName(group)
                .launchTemplate(t -> t.launchTemplateName(name).version("2")));
    List<String> old = new ArrayList<>(instances(autoScaling, group));
    Set<String> replaced = new java.util.HashSet<>();
    while (!old.isEmpty()) {
      int batch = Math.min(surge, old.size());
      int desired = instances(autoScaling, group).size() + batch;
      autoScaling.updateAutoScalingGroup(
          b -> b.autoScalingGroupName(group).desiredCapacity(desired));
      awaitNodes(admin, name, desired, Set.of());
      for (String instance : old.subList(0, batch)) {
        Node node = nodeOf(admin, name, instance);
        admin
            .nodes()
            .withName(node.getMetadata().getName())
            .edit(
                n -> {
                  n.getSpec().setUnschedulable(true);
                  return n;
                });
        admin
            .pods()
            .inAnyNamespace()
            .withField("spec.nodeName", node.getMetadata().getName())
            .list();
        autoScaling.terminateInstanceInAutoScalingGroup(
            b -> b.instanceId(instance).shouldDecrementDesiredCapacity(true));
        admin.nodes().withName(node.getMetadata().getName()).delete();
        replaced.add(instance);
      }
      old = old.subList(batch, old.size());
    }
    awaitNodes(admin, name, nodes, replaced);
    double seconds = (System.nanoTime() - t0) / 1e9;
    autoScaling.deleteAutoScalingGroup(b -> b.autoScalingGroupName(group).forceDelete(true));
    ec2.deleteLaunchTemplate(b -> b.launchTemplateName(name));
    awaitNodes(admin, name, 0, Set.of());
    return seconds;
  }

  private static List<String> instances(AutoScalingClient autoScaling, String group) {
    return autoScaling
        .describeAutoScalingGroups(b -> b.autoScalingGroupNames(group))
        .autoScalingGroups()
        .get(0)
        .instances()
        .stream()
        .filter(i -> "InService".equals(i.lifecycleStateAsString()))
        .map(Instance::instanceId)
        .toList();
  }

  private static Node nodeOf(KubernetesClient admin, String cluster, String instance)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      for (Node node : admin.nodes().withLabel("capstan.io/cluster", cluster).list().getItems()) {
        if (node.getSpec().getProviderID() != null
            && node.getSpec().getProviderID().endsWith("/" + instance)) {
          return node;
        }
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("instance " + instance + " never had a node");
  }

  /**
   * Waits until the cluster has exactly {@code count} Ready nodes, none of them of an instance in
   * {@code gone}.
   */
  private static void awaitNodes(
      KubernetesClient admin, String cluster, int count, Set<String> gone)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (System.nanoTime() < deadline) {
      List<Node> found = admin.nodes().withLabel("capstan.io/cluster", cluster).list().getItems();
      Map<Boolean, Long> ready =
          found.stream()
              .collect(Collectors.partitioningBy(RolloutBench::ready, Collectors.counting()));
      boolean noneGone =
          found.stream()
              .map(n -> n.getSpec().getProviderID())
              .noneMatch(p -> p != null && gone.contains(p.substring(p.lastIndexOf('/') + 1)));
      if (found.size() == count && ready.get(true) == count && noneGone) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("cluster " + cluster + " never had " + count + " Ready nodes");
  }

  private static boolean ready(Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
