package io.capstan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.testkit.Eventually;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Durability under {@code kill -9}: the Capstan process (API and worker) dies in the middle of a
 * pipeline of shell tasks, comes back, and the run completes with every task's line written exactly
 * once.
 *
 * <p>Each task appends one line per attempt, {@code RUN TASK ATTEMPT}, as its last action. The
 * attempt that was running when the worker died must leave no line: its shell process dies with the
 * worker (the shell executor's lifeline), and Temporal retries the attempt once its start-to-close
 * timeout passes. Tasks that had completed are not run again. What remains of at-least-once
 * delivery is the few milliseconds between a process's last write and the worker reporting its
 * completion; the kill points lie well before that.
 *
 * <p>Each Temporal server the tests run against has a subclass that registers its stack.
 */
abstract class WorkerKillScenario {
  /** The stack the subclass registers for its class. */
  abstract TemporalStack<?> stack();

  private static final int TASKS = 6;

  /** Where each trial kills: after this many task lines, plus this far into the next task. */
  private record KillPoint(int afterLines, Duration into) {}

  private static final List<KillPoint> KILL_POINTS =
      List.of(
          new KillPoint(1, Duration.ofMillis(200)),
          new KillPoint(3, Duration.ofMillis(500)),
          new KillPoint(5, Duration.ofMillis(700)));

  /** What one trial saw: its report line, extra lines of killed attempts, and retries. */
  private record Trial(String report, int extraLines, int retriedAttempts) {}

  @Test
  @DisplayName(
      "a pipeline whose worker is killed with SIGKILL completes after a restart, every task"
          + " succeeded exactly once")
  void pipelinesSurviveAKilledWorker() throws Exception {
    Path lines = stack().logs().resolve("attempt-lines.txt");
    Files.createFile(lines);
    List<String> report = new ArrayList<>();
    List<AssertionError> failures = new ArrayList<>();
    int completions = 0;
    int duplicates = 0;
    int retriedAttempts = 0;
    // Every trial runs even when one fails, so that the summary reports them all.
    for (int i = 0; i < KILL_POINTS.size(); i++) {
      try {
        Trial trial = trial(i + 1, KILL_POINTS.get(i), lines);
        completions++;
        duplicates += trial.extraLines();
        retriedAttempts += trial.retriedAttempts();
        report.add(trial.report());
      } catch (AssertionError e) {
        failures.add(e);
        report.add("trial " + (i + 1) + ": FAILED " + e.getMessage());
      }
    }
    report.add(
        String.format(
            "fault trials: %d, completions: %d, duplicate task lines: %d",
            KILL_POINTS.size(), completions, duplicates));
    report.forEach(System.out::println);
    Files.write(stack().logs().resolve("fault-trials.txt"), report, StandardCharsets.UTF_8);

    if (!failures.isEmpty()) {
      AssertionError first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
    assertThat(retriedAttempts)
        .as("the kills interrupted running attempts, which Temporal retried")
        .isPositive();
  }

  /**
   * Submits the pipeline, kills Capstan at {@code kill}, starts it again, and checks the finished
   * run against the attempt lines.
   */
  private Trial trial(int number, KillPoint kill, Path lines) throws Exception {
    String id = stack().api().submit(pipeline("kill-trial-" + number, lines)).get("id").asText();
    Eventually.within(
        Duration.ofSeconds(30),
        () -> assertThat(attemptLines(lines, id)).hasSizeGreaterThanOrEqualTo(kill.afterLines()));
    RealTime.pass(kill.into());
    int linesAtKill = attemptLines(lines, id).size();
    stack().capstan().kill();
    assertThat(stack().capstan().alive()).isFalse();
    stack().capstan().restart();

    JsonNode run =
        Eventually.get(
            Duration.ofSeconds(90),
            () -> {
              JsonNode current = stack().api().run(id);
              assertThat(current.get("status").asText()).as(id).isEqualTo("COMPLETED");
              return current;
            });

    Map<String, List<Integer>> byTask = byTask(attemptLines(lines, id));
    StringBuilder retried = new StringBuilder();
    StringBuilder extra = new StringBuilder();
    int extraLines = 0;
    int retriedAttempts = 0;
    for (int step = 1; step <= TASKS; step++) {
      String task = "step-" + step;
      JsonNode state = run.get("tasks").get(task);
      assertThat(state.get("state").asText()).as(task).isEqualTo("SUCCEEDED");
      int succeeded = state.get("attempts").asInt();
      List<Integer> attempts = byTask.getOrDefault(task, List.of());
      assertThat(attempts)
          .as(
              "%s: exactly one line, of its succeeded attempt %d (a killed attempt writes none)",
              task, succeeded)
          .containsExactly(succeeded);
      retriedAttempts += succeeded - 1;
      if (succeeded > 1) {
        retried.append(' ').append(task).append(" succeeded on attempt ").append(succeeded);
      }
      extraLines += attempts.size() - 1;
      if (attempts.size() > 1) {
        extra.append(' ').append(task).append(" attempts ").append(attempts);
      }
    }
    String report =
        String.format(
            "trial %d: killed after %d of %d task lines (+%d ms), run %s COMPLETED;%s;%s",
            number,
            linesAtKill,
            TASKS,
            kill.into().toMillis(),
            id,
            retried.length() == 0 ? " no task retried" : retried,
            extra.length() == 0 ? " no extra lines" : " extra lines:" + extra);
    return new Trial(report, extraLines, retriedAttempts);
  }

  /**
   * Six chained shell tasks. The short timeout is what brings a killed attempt back soon: Temporal
   * learns nothing from a dead worker and retries when the attempt's start-to-close timeout passes.
   */
  private static String pipeline(String name, Path lines) {
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: %s, namespace: e2e}
            spec:
              defaults:
                timeout: 5s
                retry: {maxAttempts: 5, backoff: fixed, interval: 1s}
              tasks:
            """
                .formatted(name));
    for (int step = 1; step <= TASKS; step++) {
      yaml.append("    - name: step-").append(step).append('\n');
      if (step > 1) {
        yaml.append("      dependsOn: [step-").append(step - 1).append("]\n");
      }
      yaml.append("      shell:\n")
          .append("        command:\n")
          .append("          - sh\n")
          .append("          - -c\n")
          .append(
              "          - 'sleep 1; echo \"$CAPSTAN_RUN_ID $CAPSTAN_TASK $CAPSTAN_ATTEMPT\" >> ")
          .append(lines)
          .append("'\n");
    }
    return yaml.toString();
  }

  /** This run's lines, each {@code TASK ATTEMPT}. */
  private static List<String[]> attemptLines(Path file, String runId) throws IOException {
    List<String[]> mine = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] fields = line.trim().split(" ");
      if (fields.length == 3 && fields[0].equals(runId)) {
        mine.add(new String[] {fields[1], fields[2]});
      }
    }
    return mine;
  }

  private static Map<String, List<Integer>> byTask(List<String[]> lines) {
    Map<String, List<Integer>> byTask = new TreeMap<>();
    for (String[] line : lines) {
      byTask.computeIfAbsent(line[0], task -> new ArrayList<>()).add(Integer.parseInt(line[1]));
    }
    return byTask;
  }
}
