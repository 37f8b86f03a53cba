package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import io.capstan.workers.WorkerRole;
import io.capstan.workflows.TaskQueues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Worker roles as separate processes on one dev server: a {@code capstan up} that runs only the
 * control plane refuses shell pipelines until a {@code capstan worker --role tasks} process polls
 * the tasks queue, then runs them there. The API learns that from Temporal's poller list, not from
 * any configuration.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class WorkerRolesIT {
  private static final String SHELL_PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: remote-shell}
      spec:
        tasks:
          - name: hello
            shell: {command: [sh, -c, "echo from-the-second-worker"]}
      """;

  private final Path state =
      Path.of("target", "worker-roles-it", Long.toString(System.nanoTime())).toAbsolutePath();

  private CapstanRuntime runtime;
  private Http http;
  private Process worker;
  private Process gpuWorker;

  @BeforeAll
  void start() {
    runtime =
        new CapstanRuntime(
                CapstanRuntime.Config.devServer(
                        0, FreePorts.next(), FreePorts.next(), state, TemporalBinary.require())
                    .withRoles(EnumSet.of(WorkerRole.CONTROL_PLANE)))
            .start();
    http = new Http(runtime.apiUrl());
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (worker != null && worker.isAlive()) {
      worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (gpuWorker != null && gpuWorker.isAlive()) {
      gpuWorker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  @DisplayName(
      "with no tasks worker a shell pipeline is refused naming the queue; a worker process started"
          + " beside up then runs it")
  void tasksWorkerProcessServesShell() throws Exception {
    assertThat(runtime.servedExecutors()).isEmpty();
    assertThat(Http.json(http.get("/api/v1/info")).path("executors").size()).isZero();

    HttpResponse<String> refused = submit();
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(Http.json(refused).path("error").asText())
        .isEqualTo(
            "no worker serves shell tasks: no live worker on task queue "
                + TaskQueues.TASKS
                + " runs them (start one with `capstan worker --role tasks`, without --no-shell)");

    Path log = Files.createDirectories(state).resolve("worker.log");
    worker = startWorker(log);

    HttpResponse<String> accepted =
        Eventually.get(
            Duration.ofSeconds(30),
            () -> {
              HttpResponse<String> answer = submit();
              assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
              return answer;
            });
    String id = Http.json(accepted).path("id").asText();
    JsonNode run =
        Eventually.await(
            "run " + id + " to end",
            () -> Http.json(http.get("/api/v1/runs/" + id)),
            r -> !r.path("status").asText().equals("RUNNING"));

    assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
    assertThat(Http.json(http.get("/api/v1/info")).path("executors").toString())
        .isEqualTo("[\"simulate\",\"shell\"]");
    JsonNode hello = run.path("tasks").path("hello");
    assertThat(hello.path("output").asText()).isEqualTo("from-the-second-worker");
    assertThat(hello.path("host").asText()).isEqualTo("second-worker");
    assertThat(Files.readString(log))
        .contains("Roles      tasks on " + TaskQueues.TASKS)
        .contains("Executors  simulate, shell");

    worker.destroy();
    assertThat(worker.waitFor(20, TimeUnit.SECONDS)).as("the worker stops on SIGTERM").isTrue();
    assertThat(Files.readString(log)).contains("stopped");
  }

  private static final String GPU_PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: remote-gpus}
      spec:
        tasks:
          - name: burn
            gpu: {devices: 2, op: burn-in, duration: 3s}
          - name: measure
            dependsOn: [burn]
            gpu: {devices: 1, op: bandwidth, affinity: {sameHostAs: burn}}
      """;

  @Test
  @org.junit.jupiter.api.Order(2)
  @DisplayName(
      "a gpu role on a machine without a GPU refuses to start in one line; with simulated devices"
          + " it joins the fleet, and gpu tasks submitted through the API run on its devices")
  void gpuWorkerProcessServesGpuTasks() throws Exception {
    Path state = Files.createDirectories(this.state);
    Process cuda = startWorker(state.resolve("cuda.log"), "gpu", "gpu-cuda");
    assertThat(cuda.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(cuda.exitValue()).isEqualTo(1);
    assertThat(Files.readString(state.resolve("cuda.log")))
        .contains("capstan worker: the gpu role found no usable GPU: ")
        .contains("(--simulate-gpus N serves simulated devices instead)");

    HttpResponse<String> refused = http.post("/api/v1/runs", "application/yaml", GPU_PIPELINE);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(Http.json(refused).path("details").get(0).path("message").asText())
        .startsWith("no GPU host is in the GPU fleet");

    Path log = state.resolve("gpu.log");
    gpuWorker = startWorker(log, "gpu", "gpu-remote", "--simulate-gpus", "2");
    HttpResponse<String> accepted =
        Eventually.get(
            Duration.ofSeconds(60),
            () -> {
              HttpResponse<String> answer =
                  http.post("/api/v1/runs", "application/yaml", GPU_PIPELINE);
              assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
              return answer;
            });
    String id = Http.json(accepted).path("id").asText();
    JsonNode run =
        Eventually.await(
            "run " + id + " to end",
            () -> Http.json(http.get("/api/v1/runs/" + id)),
            r -> !r.path("status").asText().equals("RUNNING"));

    assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
    JsonNode burn = run.path("tasks").path("burn");
    assertThat(burn.path("host").asText()).isEqualTo("gpu-remote");
    JsonNode output =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(burn.path("output").asText());
    assertThat(output.path("devices").toString()).isEqualTo("[0,1]");
    assertThat(output.path("results").get(0).path("passed").asBoolean()).isTrue();
    assertThat(run.path("tasks").path("measure").path("host").asText()).isEqualTo("gpu-remote");
    // The fleet's and the tasks' metrics come out of the control plane, on up's /metrics.
    String metrics =
        Eventually.get(
            Duration.ofSeconds(30),
            () -> {
              String current = http.get("/metrics").body();
              assertThat(current)
                  .contains("capstan_gpu_devices{")
                  .contains("capstan_gpu_lease_wait_seconds")
                  .contains("capstan_gpu_burn_in_tflops{");
              return current;
            });
    assertThat(metrics)
        .containsPattern("capstan_gpu_devices\\{[^}]*state=\"in_service\"[^}]*} 2.0")
        .containsPattern("capstan_gpu_burn_in_tflops\\{[^}]*host=\"gpu-remote\"");
    // An operator looks at the fleet and takes a device out and back with the CLI.
    String api = runtime.apiUrl();
    CliRun status = cli("--api", api, "gpu", "status");
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out())
        .contains("gpu-remote")
        .contains("IN_SERVICE")
        .contains("0 leases held");
    CliRun quarantined =
        cli("--api", api, "gpu", "quarantine", "gpu-remote", "1", "--reason", "fan noise");
    assertThat(quarantined.exitCode()).as(quarantined.err()).isZero();
    assertThat(quarantined.out()).contains("device 1 of gpu-remote quarantined");
    CliRun unknown = cli("--api", api, "gpu", "restore", "gpu-remote", "7");
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.err()).contains("host gpu-remote has no device 7").contains("0, 1");
    // Drained at once (no lease held it), its re-validation burn-in (a minute) starts.
    Eventually.await(
        "device 1 out of service",
        () -> Http.json(http.get("/api/v1/gpu")),
        f ->
            f.path("events").toString().contains("fan noise")
                && f.path("hosts")
                    .path("gpu-remote")
                    .get(1)
                    .path("health")
                    .asText()
                    .equals("VALIDATING"));
    CliRun restored = cli("--api", api, "gpu", "restore", "gpu-remote", "1");
    assertThat(restored.exitCode()).as(restored.err()).isZero();
    Eventually.await(
        "device 1 back in service",
        () -> Http.json(http.get("/api/v1/gpu")),
        f ->
            f.path("hosts").path("gpu-remote").get(1).path("health").asText().equals("IN_SERVICE"));

    assertThat(Files.readString(log))
        .contains("Roles      gpu on " + TaskQueues.gpu("gpu-remote"))
        .contains("GPUs       gpu-remote: 2 × Simulated H200");
  }

  /** One CLI invocation: its exit code and what it printed. */
  record CliRun(int exitCode, String out, String err) {}

  private static CliRun cli(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cli = io.capstan.cli.CapstanCli.commandLine();
    cli.setOut(new java.io.PrintWriter(out, true));
    cli.setErr(new java.io.PrintWriter(err, true));
    int code = cli.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  private HttpResponse<String> submit() {
    return http.post("/api/v1/runs", "application/yaml", SHELL_PIPELINE);
  }

  private Process startWorker(Path log) {
    return startWorker(log, "tasks", "second-worker");
  }

  private Process startWorker(Path log, String role, String host, String... more) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        List.of(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            "io.capstan.app.CapstanMain",
            "worker",
            "--role",
            role,
            "--temporal",
            runtime.temporal().address(),
            "--host",
            host);
    command = new java.util.ArrayList<>(command);
    command.addAll(List.of(more));
    try {
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
