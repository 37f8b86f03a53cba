package io.capstan.bench;

import io.capstan.activities.cloud.AwsSettings;
import io.capstan.app.cloud.LocalAws;
import io.capstan.app.cloud.SimulatedCloud;
import io.capstan.app.kube.LocalKubernetes;
import io.capstan.app.up.CapstanRuntime;
import io.capstan.definitions.ClusterDefinition;
import io.capstan.definitions.DefinitionParser;
import io.capstan.workers.WorkerSettings;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.cluster.ClusterInput;
import io.capstan.workflows.cluster.ClusterPhase;
import io.capstan.workflows.cluster.ClusterStatus;
import io.capstan.workflows.cluster.ClusterUpdates;
import io.capstan.workflows.cluster.ClusterWorkflow;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Engine time to create a simulated cluster of {@code --pools} (3) pools of {@code --nodes} (10)
 * nodes each with zero boot delay, from the start of its workflow to phase Ready, against a
 * baseline beside it: the same groups created straight through the AWS SDK and waited for until
 * their nodes are Ready, with no Temporal in between. Both run on the same moto, simulated cloud
 * linker and local control plane, so the ratio is what the durable path (parallel pools, saga
 * bookkeeping, activities, heartbeats, labels and taints) costs over doing it by hand.
 *
 * <pre>
 * java -cp "bench/target/capstan-bench-0.1.0-SNAPSHOT.jar:app/target/lib/*:app/target/capstan-app-0.1.0-SNAPSHOT.jar" \
 *     io.capstan.bench.ClusterBench [--pools 3] [--nodes 10] [--repeat 3]
 * </pre>
 */
public final class ClusterBench {
  private static final Duration LINKER_POLL = Duration.ofMillis(100);

  public static void main(String[] args) throws Exception {
    int pools = BenchSetup.intFlag(args, "--pools", 3);
    int nodes = BenchSetup.intFlag(args, "--nodes", 10);
    int repeat = BenchSetup.intFlag(args, "--repeat", 3);
    Path home = Path.of(BenchSetup.stringFlag(args, "--home", ".")).toAbsolutePath().normalize();
    Path bin = home.resolve(".capstan/tools/kubernetes/bin");
    if (!LocalKubernetes.installed(bin)) {
      throw new IllegalStateException(
          "no Kubernetes binaries in " + bin + ": run scripts/install-kubernetes.sh first");
    }
    System.out.printf(
        "Capstan cluster benchmark: %d cores, Java %s; %d pools x %d nodes, zero boot delay%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        pools,
        nodes);

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
        // One of each first, unmeasured: class loading, the worker's first polls, moto's caches.
        engine(runtime.client(), pools, nodes, admin);
        baseline(autoScaling, ec2, admin, pools, nodes);
        double[] engine = new double[repeat];
        double[] direct = new double[repeat];
        double[] ratios = new double[repeat];
        for (int i = 0; i < repeat; i++) {
          if (i % 2 == 0) {
            engine[i] = engine(runtime.client(), pools, nodes, admin);
            direct[i] = baseline(autoScaling, ec2, admin, pools, nodes);
          } else {
            direct[i] = baseline(autoScaling, ec2, admin, pools, nodes);
            engine[i] = engine(runtime.client(), pools, nodes, admin);
          }
          ratios[i] = engine[i] / direct[i];
          System.out.printf(
              "run %d: Capstan %.2f s to Ready, by hand %.2f s, ratio %.2f%n",
              i + 1, engine[i], direct[i], ratios[i]);
        }
        System.out.println();
        System.out.println("| measure | value |");
        System.out.println("| --- | --- |");
        System.out.printf(
            "| Capstan: submit to Ready, %d pools x %d nodes (median of %d) | %.2f s |%n",
            pools, nodes, repeat, BenchSetup.median(engine));
        System.out.printf(
            "| by hand: the same groups through the SDK, until their nodes are Ready | %.2f s |%n",
            BenchSetup.median(direct));
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

  /** Seconds from starting a cluster's workflow until it reports Ready; then deletes it. */
  private static double engine(WorkflowClient client, int pools, int nodes, KubernetesClient admin)
      throws InterruptedException {
    String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: capstan.io/v1\nkind: Cluster\nmetadata: {name: "
                + name
                + "}\nspec:\n  provider: simulated\n  region: us-west-2\n  readyTimeout: 10m\n"
                + "  nodePools:\n");
    for (int p = 0; p < pools; p++) {
      yaml.append("    - {name: pool")
          .append(p)
          .append(", instanceType: m5.large, minSize: ")
          .append(nodes)
          .append(", maxSize: ")
          .append(nodes)
          .append(
              ", labels: {bench: \"true\"}, taints: [{key: bench, value: x, effect: NoSchedule}]}\n");
    }
    ClusterDefinition definition =
        (ClusterDefinition) DefinitionParser.parse(yaml.toString()).get(0);
    ClusterWorkflow stub =
        client.newWorkflowStub(
            ClusterWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .setWorkflowId("cluster-bench-" + name)
                .build());
    long t0 = System.nanoTime();
    WorkflowClient.start(stub::run, ClusterInput.create(definition));
    while (true) {
      ClusterStatus status = stub.status();
      if (status != null && status.phase() == ClusterPhase.Ready) {
        break;
      }
      if (status != null && status.phase() == ClusterPhase.Failed) {
        throw new IllegalStateException("the bench cluster failed: " + status.failure());
      }
      Thread.sleep(20);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    stub.delete(new ClusterUpdates.Delete("benchmark over"));
    WorkflowStub.fromTyped(stub).getResult(ClusterStatus.class);
    awaitNodes(admin, name, 0);
    return seconds;
  }

  /** Seconds to create the groups through the SDK and see every node Ready; then deletes them. */
  private static double baseline(
      AutoScalingClient autoScaling, Ec2Client ec2, KubernetesClient admin, int pools, int nodes)
      throws InterruptedException {
    String name = "hand-" + UUID.randomUUID().toString().substring(0, 8);
    long t0 = System.nanoTime();
    ec2.createLaunchTemplate(
        b ->
            b.launchTemplateName(name)
                .launchTemplateData(d -> d.imageId("ami-12c6146b").instanceType("m5.large")));
    for (int p = 0; p < pools; p++) {
      String pool = "pool" + p;
      autoScaling.createAutoScalingGroup(
          b ->
              b.autoScalingGroupName(name + "-" + pool)
                  .minSize(nodes)
                  .maxSize(nodes)
                  .desiredCapacity(nodes)
                  .launchTemplate(t -> t.launchTemplateName(name).version("1"))
                  .availabilityZones("us-west-2a")
                  .tags(
                      t ->
                          t.resourceId(name + "-" + pool)
                              .resourceType("auto-scaling-group")
                              .key("capstan.io/cluster")
                              .value("default/" + name)
                              .propagateAtLaunch(true),
                      t ->
                          t.resourceId(name + "-" + pool)
                              .resourceType("auto-scaling-group")
                              .key("capstan.io/pool")
                              .value(pool)
                              .propagateAtLaunch(true)));
    }
    awaitNodes(admin, name, pools * nodes);
    double seconds = (System.nanoTime() - t0) / 1e9;
    for (int p = 0; p < pools; p++) {
      String group = name + "-pool" + p;
      autoScaling.deleteAutoScalingGroup(b -> b.autoScalingGroupName(group).forceDelete(true));
    }
    ec2.deleteLaunchTemplate(b -> b.launchTemplateName(name));
    awaitNodes(admin, name, 0);
    return seconds;
  }

  /** Waits until the cluster has exactly {@code count} nodes, all Ready. */
  private static void awaitNodes(KubernetesClient admin, String cluster, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      List<Node> found = admin.nodes().withLabel("capstan.io/cluster", cluster).list().getItems();
      if (found.size() == count && found.stream().allMatch(ClusterBench::ready)) {
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
