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
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
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

  private HttpResponse<String> submit() {
    return http.post("/api/v1/runs", "application/yaml", SHELL_PIPELINE);
  }

  private Process startWorker(Path log) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        List.of(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            "io.capstan.app.CapstanMain",
            "worker",
            "--role",
            "tasks",
            "--temporal",
            runtime.temporal().address(),
            "--host",
            "second-worker");
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
