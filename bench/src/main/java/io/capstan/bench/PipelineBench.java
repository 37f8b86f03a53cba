package io.capstan.bench;

import io.capstan.app.up.CapstanRuntime;
import io.capstan.bench.baseline.RawActivitiesImpl;
import io.capstan.bench.baseline.RawWorkflow;
import io.capstan.bench.baseline.RawWorkflowImpl;
import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.definitions.pipeline.TaskSpec;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the same shapes through Capstan and through hand-written Temporal SDK code, in one process
 * against one embedded server, and prints the per-task ratio of Capstan to the baseline.
 *
 * <p>Shapes: (a) a chain of zero-second simulate tasks, each depending on the previous one; (b) a
 * wide DAG of independent zero-second tasks at a parallelism limit. Each shape runs {@code
 * --warmup} times on both sides, then {@code --repeat} Capstan/baseline pairs.
 *
 * <p>Flags: {@code --chain N} (default 200), {@code --wide N} (2000), {@code --parallelism N}
 * (200), {@code --warmup N} (3), {@code --repeat N} (5), {@code --temporal-mode
 * test-server|dev-server} (test-server: the in-process Java test server; dev-server: the Temporal
 * CLI's dev server on free ports with a fresh SQLite file), {@code --temporal HOST:PORT} (an
 * external server instead of either).
 */
public final class PipelineBench {
  private static final String BASELINE_QUEUE = "capstan-bench-baseline";

  private final WorkflowClient client;

  private PipelineBench(WorkflowClient client) {
    this.client = client;
  }

  public static void main(String[] args) throws Exception {
    int chain = BenchSetup.intFlag(args, "--chain", 200);
    int wide = BenchSetup.intFlag(args, "--wide", 2000);
    int parallelism = BenchSetup.intFlag(args, "--parallelism", 200);
    int warmup = BenchSetup.intFlag(args, "--warmup", 3);
    int repeat = BenchSetup.intFlag(args, "--repeat", 5);
    CapstanRuntime.Config config = BenchSetup.config(args, "test-server");
    try (CapstanRuntime runtime = new CapstanRuntime(config).start()) {
      WorkerFactory baselineFactory = WorkerFactory.newInstance(runtime.client());
      Worker worker =
          baselineFactory.newWorker(
              BASELINE_QUEUE,
              WorkerOptions.newBuilder().setMaxConcurrentActivityExecutionSize(200).build());
      worker.registerWorkflowImplementationTypes(RawWorkflowImpl.class);
      worker.registerActivitiesImplementations(new RawActivitiesImpl());
      baselineFactory.start();
      try {
        PipelineBench bench = new PipelineBench(runtime.client());
        System.out.printf(
            "Capstan pipeline benchmark: Temporal %s (%s), %d cores, Java %s%n",
            runtime.temporal().address(),
            runtime.temporal().mode(),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"));
        Result a = bench.compare("a) chain of " + chain + " tasks", chain, 1, warmup, repeat);
        Result b =
            bench.compare(
                "b) " + wide + "-task wide DAG at parallelism " + parallelism,
                wide,
                parallelism,
                warmup,
                repeat);
        System.out.println();
        System.out.println("| shape | Capstan ms/task | raw SDK ms/task | ratio |");
        System.out.println("| --- | --- | --- | --- |");
        for (Result r : List.of(a, b)) {
          System.out.println(r.row());
        }
      } finally {
        baselineFactory.shutdown();
        baselineFactory.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }

  private record Result(String shape, double capstanPerTask, double rawPerTask, double ratio) {
    String row() {
      return String.format("| %s | %.2f | %.2f | %.2f |", shape, capstanPerTask, rawPerTask, ratio);
    }
  }

  /**
   * Warms both sides up, then runs them in pairs; the ratio is the median of the pairs' ratios, so
   * drift of the shared machine (JIT, GC, the other core) cancels within each pair.
   */
  private Result compare(String shape, int tasks, int parallelism, int warmup, int repeat) {
    System.out.printf("%s: warming up (%d runs each)%n", shape, warmup);
    for (int i = 0; i < warmup; i++) {
      runCapstan(tasks, parallelism);
      runRaw(tasks, parallelism);
    }
    double[] capstan = new double[repeat];
    double[] raw = new double[repeat];
    double[] ratios = new double[repeat];
    for (int i = 0; i < repeat; i++) {
      // Alternate which side goes first, so neither always runs on a machine the other warmed.
      if (i % 2 == 0) {
        capstan[i] = runCapstan(tasks, parallelism) / tasks;
        raw[i] = runRaw(tasks, parallelism) / tasks;
      } else {
        raw[i] = runRaw(tasks, parallelism) / tasks;
        capstan[i] = runCapstan(tasks, parallelism) / tasks;
      }
      ratios[i] = capstan[i] / raw[i];
      System.out.printf(
          "%s: run %d: Capstan %.2f ms/task, raw SDK %.2f ms/task, ratio %.2f%n",
          shape, i + 1, capstan[i], raw[i], ratios[i]);
    }
    Result result =
        new Result(
            shape, BenchSetup.median(capstan), BenchSetup.median(raw), BenchSetup.median(ratios));
    System.out.printf(
        "%s: per-task ratio %.2f (median of %d pairs)%n", shape, result.ratio(), repeat);
    return result;
  }

  /** Milliseconds for one Capstan pipeline of the given shape, from start to result. */
  private double runCapstan(int tasks, int parallelism) {
    List<TaskSpec> specs = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      List<String> deps = parallelism == 1 && i > 0 ? List.of("t" + (i - 1)) : List.of();
      specs.add(
          new TaskSpec(
              "t" + i,
              deps,
              null,
              null,
              new SimulateSpec(Duration.ZERO, "out-" + i, 0, 0.0, null),
              null,
              null,
              null));
    }
    return BenchSetup.runPipeline(client, specs, parallelism, "bench");
  }

  /** Milliseconds for the hand-written SDK workflow of the same shape. */
  private double runRaw(int tasks, int parallelism) {
    RawWorkflow raw =
        client.newWorkflowStub(
            RawWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(BASELINE_QUEUE)
                .setWorkflowId("bench-raw-" + System.nanoTime())
                .build());
    long start = System.nanoTime();
    int done = raw.run(tasks, parallelism);
    double ms = (System.nanoTime() - start) / 1e6;
    if (done != tasks) {
      throw new IllegalStateException("the baseline ran " + done + " of " + tasks + " tasks");
    }
    return ms;
  }
}
