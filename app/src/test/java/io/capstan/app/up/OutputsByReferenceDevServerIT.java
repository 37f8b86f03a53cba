package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Outputs by reference on {@code capstan up}'s wiring (dev server, worker, API, the state dir's
 * output folder): large outputs pass downstream byte for byte, nothing is cut, and an output over
 * the limit fails its task without wedging the run. Before outputs went by reference, the first
 * pipeline here never ended: its history passed 4 MB and every workflow task failed with
 * GRPC_MESSAGE_TOO_LARGE.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutputsByReferenceDevServerIT {
  private static final int TASKS = 30;
  private static final int OUTPUT_BYTES = 200_000;

  private final Path state =
      Path.of("target", "outputs-by-reference-it", Long.toString(System.nanoTime()))
          .toAbsolutePath();

  private CapstanRuntime runtime;
  private Http http;

  @BeforeAll
  void start() {
    runtime =
        new CapstanRuntime(
                CapstanRuntime.Config.devServer(
                    0, FreePorts.next(), FreePorts.next(), state, TemporalBinary.require()))
            .start();
    http = new Http(runtime.apiUrl());
  }

  @AfterAll
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  /** Task {@code k}'s output: 200,000 letters in a pattern of its own. */
  private static String expected(int k) {
    StringBuilder text = new StringBuilder(OUTPUT_BYTES);
    for (int i = 0; i < OUTPUT_BYTES; i++) {
      text.append((char) ('a' + (i * 7 + k) % 26));
    }
    return text.toString();
  }

  private static String name(int k) {
    return String.format(Locale.ROOT, "t%02d", k);
  }

  @Test
  @DisplayName("30 outputs of 200 KB reach the task after them byte for byte; the run completes")
  void manyLargeOutputsPassDownstream() throws Exception {
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: large-outputs}
            spec:
              parallelism: 10
              tasks:
            """);
    StringBuilder all = new StringBuilder();
    for (int k = 1; k <= TASKS; k++) {
      yaml.append("    - name: ")
          .append(name(k))
          .append("\n      shell: {command: [awk, 'BEGIN { for (i = 0; i < ")
          .append(OUTPUT_BYTES)
          .append("; i++) printf \"%c\", 97 + (i * 7 + ")
          .append(k)
          .append(") % 26 }']}\n");
      all.append(k == 1 ? "" : ", ").append(name(k));
    }
    yaml.append("    - name: digest\n      dependsOn: [")
        .append(all)
        .append(
            "]\n      shell: {command: [sh, -c, 'cat \"$CAPSTAN_INPUTS\"/t* | sha256sum | cut"
                + " -c1-64']}\n");

    String id = submit(yaml.toString());
    JsonNode run = awaitEnd(id, Duration.ofMinutes(3));

    assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (int k = 1; k <= TASKS; k++) {
      String output = expected(k);
      sha.update(output.getBytes(StandardCharsets.UTF_8));
      JsonNode task = run.path("tasks").path(name(k));
      assertThat(task.path("output").isNull()).as(task.toString()).isTrue();
      assertThat(task.path("outputRef").path("size").asLong()).isEqualTo(OUTPUT_BYTES);
      assertThat(task.path("outputRef").path("preview").asText())
          .isEqualTo(output.substring(0, 200));
      if (k % 10 == 1) {
        HttpResponse<String> whole = http.get(outputPath(id, name(k)));
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(output);
        assertThat(whole.headers().firstValue("X-Capstan-Output-Sha256"))
            .contains(task.path("outputRef").path("sha256").asText());
      }
    }
    assertThat(run.path("tasks").path("digest").path("output").asText())
        .isEqualTo(HexFormat.of().formatHex(sha.digest()));
    try (var stored = Files.walk(state.resolve("outputs/runs").resolve(id))) {
      assertThat(stored.filter(Files::isRegularFile).count()).isEqualTo(TASKS);
    }
  }

  @Test
  @DisplayName(
      "a last stdout line of 150,000 characters is the output whole; one of 100,000 is"
          + " substituted whole")
  void longLinesAreNeverCut() {
    String id =
        submit(
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: long-lines}
            spec:
              tasks:
                - name: wide
                  shell: {command: [sh, -c, "echo start; head -c 150000 /dev/zero | tr '\\\\0' w; echo"]}
                - name: medium
                  shell: {command: [sh, -c, "head -c 100000 /dev/zero | tr '\\\\0' m"]}
                - name: count
                  dependsOn: [wide, medium]
                  shell:
                    command: [sh, -c, 'printf "%s %s" "$(wc -c < "$CAPSTAN_INPUTS/wide")" "$(printf %s "$0" | wc -c)"', "#{medium.output}"]
            """);

    JsonNode run = awaitEnd(id, Duration.ofMinutes(1));

    assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
    assertThat(run.path("tasks").path("wide").path("outputRef").path("size").asLong())
        .isEqualTo(150_000);
    assertThat(http.get(outputPath(id, "wide")).body()).isEqualTo("w".repeat(150_000));
    assertThat(run.path("tasks").path("count").path("output").asText()).isEqualTo("150000 100000");
  }

  @Test
  @DisplayName("an output over 100 MiB fails its task with what to do, and the run ends FAILED")
  void anOutputOverTheLimitFailsClearly() {
    String id =
        submit(
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: too-large}
            spec:
              tasks:
                - name: huge
                  retry: {maxAttempts: 1}
                  shell: {command: [sh, -c, 'truncate -s 101M "$CAPSTAN_OUTPUT"']}
                - name: after
                  dependsOn: [huge]
                  simulate: {duration: 0s}
            """);

    JsonNode run = awaitEnd(id, Duration.ofMinutes(1));

    assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("FAILED");
    assertThat(run.path("tasks").path("huge").path("error").asText())
        .isEqualTo(
            "output is 101.0 MiB; task outputs are limited to 100.0 MiB: write large results to"
                + " your own storage (a bucket, a volume) and output a reference to them");
    assertThat(run.path("tasks").path("after").path("state").asText()).isEqualTo("SKIPPED");
    HttpResponse<String> none = http.get(outputPath(id, "huge"));
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(none.body()).contains("it is FAILED; only a task that SUCCEEDED has an output");
  }

  @Test
  @DisplayName(
      "a Job of 1,000 completions with 20 KB outputs completes, its history under 10,240 events"
          + " and its results under 1 MB")
  void aJobWithManyLargeCompletionsStaysBounded() {
    String id =
        submit(
            """
            apiVersion: capstan.io/v1
            kind: Job
            metadata: {name: many-completions}
            spec:
              shell: {command: [sh, -c, 'head -c 20000 /dev/zero | tr "\\\\0" J']}
              parallelism: {completions: 1000, maxConcurrent: 100}
            """);

    JsonNode run = awaitEnd(id, Duration.ofMinutes(4));

    assertThat(run.path("status").asText()).as(run.path("error").asText()).isEqualTo("COMPLETED");
    assertThat(run.path("tasks").size()).isEqualTo(1000);
    assertThat(run.path("tasks").path("completion-1000").path("outputRef").path("size").asLong())
        .isEqualTo(20_000);
    var history = runtime.client().fetchHistory(id);
    assertThat(history.getEvents()).hasSizeLessThan(10_240);
    long payloadBytes =
        history.getEvents().stream()
            .filter(e -> e.hasActivityTaskCompletedEventAttributes())
            .mapToLong(
                e -> e.getActivityTaskCompletedEventAttributes().getResult().getSerializedSize())
            .sum();
    assertThat(payloadBytes).as("bytes of completion results in history").isLessThan(1_000_000);
  }

  private static String outputPath(String id, String task) {
    return "/api/v1/runs/" + id + "/tasks/" + task + "/output";
  }

  private String submit(String yaml) {
    HttpResponse<String> submitted = http.post("/api/v1/runs", "application/yaml", yaml);
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
    return Http.json(submitted).path("id").asText();
  }

  private JsonNode awaitEnd(String id, Duration within) {
    return Eventually.get(
        within,
        () -> {
          JsonNode run = Http.json(http.get("/api/v1/runs/" + id));
          assertThat(run.path("status").asText()).as(run.toString()).isNotEqualTo("RUNNING");
          return run;
        });
  }
}
