package io.capstan.bench;

import io.capstan.app.up.CapstanRuntime;
import io.capstan.bench.baseline.RawActivitiesImpl;
import io.capstan.bench.baseline.RawWorkflow;
import io.capstan.bench.baseline.RawWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.worker.WorkerFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Submissions per second through Capstan's HTTP API ({@code POST /api/v1/runs} of a one-task
 * pipeline, answered 201 once Temporal has started the run) beside the raw SDK's {@code
 * WorkflowClient.start} of a one-activity workflow, at one client and at {@code --clients} clients
 * in parallel, against the same server.
 *
 * <p>The API runs without authentication and without its per-token submit limit ({@code
 * --submit-rate}, 10/s by default), which would otherwise be what is measured.
 *
 * <p>Flags: {@code --runs N} per side and concurrency (default 300), {@code --clients N} (16),
 * {@code --warmup N} (50), {@code --temporal HOST:PORT} or {@code --temporal-mode
 * test-server|dev-server} (default dev-server, on free ports with a fresh SQLite file).
 */
public final class SubmitBench {
  private static final String BASELINE_QUEUE = "capstan-bench-baseline";
  private static final String PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: submit-bench}
      spec:
        tasks:
          - name: only
            simulate: {duration: 0s, output: ok}
      """;

  private SubmitBench() {}

  private record Result(String side, int clients, double perSecond, double p50, double p99) {
    String row() {
      return String.format("| %s | %d | %.1f | %.1f | %.1f |", side, clients, perSecond, p50, p99);
    }
  }

  public static void main(String[] args) throws Exception {
    int runs = BenchSetup.intFlag(args, "--runs", 300);
    int clients = BenchSetup.intFlag(args, "--clients", 16);
    int warmup = BenchSetup.intFlag(args, "--warmup", 50);
    CapstanRuntime.Config config = BenchSetup.unlimited(BenchSetup.config(args, "dev-server"));
    try (CapstanRuntime runtime = new CapstanRuntime(config).start()) {
      WorkerFactory baseline = WorkerFactory.newInstance(runtime.client());
      var worker = baseline.newWorker(BASELINE_QUEUE);
      worker.registerWorkflowImplementationTypes(RawWorkflowImpl.class);
      worker.registerActivitiesImplementations(new RawActivitiesImpl());
      baseline.start();
      // Daemon threads: the client's pool must not keep the JVM alive once the results are out.
      HttpClient http =
          HttpClient.newBuilder()
              .executor(
                  Executors.newFixedThreadPool(
                      32,
                      task -> {
                        Thread thread = new Thread(task, "submit-bench-http");
                        thread.setDaemon(true);
                        return thread;
                      }))
              .build();
      URI submit = URI.create(runtime.apiUrl() + "/api/v1/runs");
      Side api =
          () -> {
            HttpResponse<String> response =
                http.send(
                    HttpRequest.newBuilder(submit)
                        .header("Content-Type", "application/yaml")
                        .POST(HttpRequest.BodyPublishers.ofString(PIPELINE))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
              throw new IllegalStateException(response.statusCode() + ": " + response.body());
            }
          };
      WorkflowClient client = runtime.client();
      AtomicInteger ids = new AtomicInteger();
      Side raw =
          () ->
              WorkflowClient.start(
                  client.newWorkflowStub(
                          RawWorkflow.class,
                          WorkflowOptions.newBuilder()
                              .setTaskQueue(BASELINE_QUEUE)
                              .setWorkflowId("submit-raw-" + System.nanoTime() + "-" + ids.get())
                              .build())
                      ::run,
                  1,
                  1);
      System.out.printf(
          "Capstan submission benchmark: Temporal %s (%s), %d cores, Java %s%n",
          runtime.temporal().address(),
          runtime.temporal().mode(),
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"));
      measure(api, warmup, 4);
      measure(raw, warmup, 4);
      List<Result> results = new ArrayList<>();
      for (int c : new int[] {1, clients}) {
        results.add(result("Capstan API", c, measure(api, runs, c)));
        results.add(result("raw SDK start", c, measure(raw, runs, c)));
      }
      System.out.println();
      System.out.println("| side | clients | runs/s | p50 ms | p99 ms |");
      System.out.println("| --- | --- | --- | --- | --- |");
      results.forEach(r -> System.out.println(r.row()));
      baseline.shutdown();
    }
  }

  @FunctionalInterface
  private interface Side {
    void submit() throws Exception;
  }

  /** Latencies in ms of {@code runs} submissions from {@code clients} threads; last is wall ms. */
  private static double[] measure(Side side, int runs, int clients) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    double[] latencies = new double[runs + 1];
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      futures.add(
          pool.submit(
              () -> {
                int i;
                while ((i = next.getAndIncrement()) < runs) {
                  long t = System.nanoTime();
                  side.submit();
                  latencies[i] = (System.nanoTime() - t) / 1e6;
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    latencies[runs] = (System.nanoTime() - start) / 1e6;
    pool.shutdown();
    return latencies;
  }

  private static Result result(String side, int clients, double[] measured) {
    int runs = measured.length - 1;
    double wall = measured[runs];
    double[] sorted = Arrays.copyOf(measured, runs);
    Arrays.sort(sorted);
    Result r =
        new Result(
            side,
            clients,
            runs / (wall / 1000.0),
            sorted[runs / 2],
            sorted[Math.min(runs - 1, (int) Math.ceil(runs * 0.99) - 1)]);
    System.out.println(r.row());
    return r;
  }
}
