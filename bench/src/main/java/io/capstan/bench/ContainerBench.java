package io.capstan.bench;

import io.capstan.app.kube.LocalKubernetes;
import io.capstan.app.up.CapstanRuntime;
import io.capstan.definitions.executor.ContainerSimulation;
import io.capstan.definitions.executor.ContainerSpec;
import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.definitions.pipeline.TaskSpec;
import io.temporal.client.WorkflowClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's overhead for a {@code container} task on the local cluster, against the same
 * pipeline of {@code simulate} tasks: {@code --tasks} (100) zero-duration tasks at {@code
 * --parallelism} (20), each a Kubernetes Job whose simulated pod succeeds at once. Also the local
 * control plane's warm start (binaries installed, a fresh etcd) and its memory once started.
 *
 * <pre>
 * java -cp "bench/target/capstan-bench-0.1.0-SNAPSHOT.jar:app/target/lib/*:app/target/capstan-app-0.1.0-SNAPSHOT.jar" \
 *     io.capstan.bench.ContainerBench [--tasks 100] [--parallelism 20] [--repeat 5] [--starts 3]
 * </pre>
 */
public final class ContainerBench {
  private final WorkflowClient client;

  private ContainerBench(WorkflowClient client) {
    this.client = client;
  }

  public static void main(String[] args) throws Exception {
    int tasks = BenchSetup.intFlag(args, "--tasks", 100);
    int parallelism = BenchSetup.intFlag(args, "--parallelism", 20);
    int repeat = BenchSetup.intFlag(args, "--repeat", 5);
    int starts = BenchSetup.intFlag(args, "--starts", 3);
    Path home = Path.of(BenchSetup.stringFlag(args, "--home", ".")).toAbsolutePath().normalize();
    Path bin = home.resolve(".capstan/tools/kubernetes/bin");
    if (!LocalKubernetes.installed(bin)) {
      throw new IllegalStateException(
          "no Kubernetes binaries in " + bin + ": run scripts/install-kubernetes.sh first");
    }
    System.out.printf(
        "Capstan container benchmark: %d cores, Java %s%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

    double[] startSeconds = new double[starts];
    long rss = 0;
    LocalKubernetes cluster = null;
    for (int i = 0; i < starts; i++) {
      Path state = Files.createTempDirectory("capstan-bench-kube");
      long t0 = System.nanoTime();
      LocalKubernetes started =
          LocalKubernetes.start(new LocalKubernetes.Options(bin, state, null, null), step -> {});
      startSeconds[i] = (System.nanoTime() - t0) / 1e9;
      rss = started.residentBytes();
      System.out.printf(
          "local control plane start %d: %.2f s, resident memory %d MiB%n",
          i + 1, startSeconds[i], rss >> 20);
      if (i < starts - 1) {
        started.close();
      } else {
        cluster = started;
      }
    }

    Path state = Files.createTempDirectory("capstan-bench-state");
    CapstanRuntime.Config config = BenchSetup.onCluster(state, cluster, null);
    try (LocalKubernetes running = cluster;
        CapstanRuntime runtime = new CapstanRuntime(config).start()) {
      ContainerBench bench = new ContainerBench(runtime.client());
      System.out.printf(
          "%d zero-duration tasks at parallelism %d, Temporal %s (%s)%n",
          tasks, parallelism, runtime.temporal().address(), runtime.temporal().mode());
      bench.run(tasks, parallelism, true);
      bench.run(tasks, parallelism, false);
      double[] container = new double[repeat];
      double[] simulate = new double[repeat];
      double[] ratios = new double[repeat];
      for (int i = 0; i < repeat; i++) {
        if (i % 2 == 0) {
          container[i] = bench.run(tasks, parallelism, true) / tasks;
          simulate[i] = bench.run(tasks, parallelism, false) / tasks;
        } else {
          simulate[i] = bench.run(tasks, parallelism, false) / tasks;
          container[i] = bench.run(tasks, parallelism, true) / tasks;
        }
        ratios[i] = container[i] / simulate[i];
        System.out.printf(
            "run %d: container %.1f ms/task, simulate %.1f ms/task, ratio %.1f%n",
            i + 1, container[i], simulate[i], ratios[i]);
      }
      System.out.println();
      System.out.println("| measure | value |");
      System.out.println("| --- | --- |");
      System.out.printf(
          "| control plane warm start (median of %d) | %.2f s |%n",
          starts, BenchSetup.median(startSeconds));
      System.out.printf(
          "| control plane resident memory (etcd, apiserver, controllers, scheduler, kwok) | %d MiB"
              + " |%n",
          rss >> 20);
      System.out.printf(
          "| container task, wall per task (%d tasks, parallelism %d) | %.1f ms |%n",
          tasks, parallelism, BenchSetup.median(container));
      System.out.printf(
          "| simulate task, same pipeline | %.1f ms |%n", BenchSetup.median(simulate));
      System.out.printf(
          "| ratio container / simulate (median of %d pairs) | %.1f |%n",
          repeat, BenchSetup.median(ratios));
      System.out.printf(
          "| container engine overhead per task (wall × parallelism / tasks) | %.0f ms |%n",
          BenchSetup.median(container) * parallelism);
    }
  }

  /** Milliseconds for one pipeline of {@code tasks} independent zero-duration tasks. */
  private double run(int tasks, int parallelism, boolean container) {
    List<TaskSpec> specs = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      specs.add(
          container
              ? new TaskSpec(
                  "t" + i,
                  List.of(),
                  null,
                  null,
                  null,
                  null,
                  new ContainerSpec(
                      "registry.example/bench:1.0",
                      List.of("run"),
                      List.of(),
                      null,
                      null,
                      null,
                      null,
                      new ContainerSimulation(Duration.ZERO, 0, 0, "out-" + i, null)),
                  null)
              : new TaskSpec(
                  "t" + i,
                  List.of(),
                  null,
                  null,
                  new SimulateSpec(Duration.ZERO, "out-" + i, 0, 0.0, null),
                  null,
                  null,
                  null));
    }
    return BenchSetup.runPipeline(client, specs, parallelism, "default");
  }
}
