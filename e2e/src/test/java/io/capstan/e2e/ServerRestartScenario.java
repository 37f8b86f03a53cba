package io.capstan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.testkit.Eventually;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Temporal server keeps its state in a database: stopped and started again on the same data in
 * the middle of a run, it brings the run back, and the Capstan process, which keeps running,
 * reconnects and finishes it.
 *
 * <p>Each Temporal server the tests run against has a subclass that registers its stack and says
 * where its data stays while it is down.
 */
abstract class ServerRestartScenario {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TASKS = 6;

  /** The stack the subclass registers for its class. */
  abstract TemporalStack<?> stack();

  /** Checks, while the server is down, that the data it comes back from is still there. */
  abstract void assertDataKept();

  @Test
  @DisplayName("a run completes across a Temporal server restart on the same data")
  void runCompletesAcrossAServerRestart() throws Exception {
    Api api = stack().api();
    TemporalServer temporal = stack().temporal();
    long capstanPid = stack().capstan().pid();
    String id = api.submit(pipeline()).get("id").asText();
    Eventually.within(
        Duration.ofSeconds(30),
        () -> assertThat(api.run(id).at("/tasks/step-2/state").asText()).isEqualTo("SUCCEEDED"));

    temporal.stop();
    assertThat(temporal.running()).isFalse();
    assertDataKept();
    // Long enough for the worker's polls and the running task's completion to hit the outage.
    RealTime.pass(Duration.ofSeconds(3));
    temporal.restart();

    JsonNode run =
        Eventually.get(
            Duration.ofSeconds(90),
            () -> {
              JsonNode current = api.run(id);
              assertThat(current.get("status").asText()).isEqualTo("COMPLETED");
              return current;
            });
    for (int step = 1; step <= TASKS; step++) {
      assertThat(run.at("/tasks/step-" + step + "/state").asText()).isEqualTo("SUCCEEDED");
    }
    // Tasks that finished before the restart were not run again: the state came from the data.
    assertThat(run.at("/tasks/step-1/attempts").asInt()).isEqualTo(1);
    assertThat(run.at("/tasks/step-2/attempts").asInt()).isEqualTo(1);
    assertThat(run.at("/tasks/step-6/output").asText()).isEqualTo("out-6");

    assertThat(stack().capstan().alive()).isTrue();
    assertThat(stack().capstan().pid())
        .as("the same Capstan process reconnected")
        .isEqualTo(capstanPid);
    JsonNode described =
        JSON.readTree(
            temporal
                .temporal("workflow", "describe", "--workflow-id", id, "--output", "json")
                .succeeded()
                .stdout());
    assertThat(described.at("/workflowExecutionInfo/status").asText())
        .isEqualTo("WORKFLOW_EXECUTION_STATUS_COMPLETED");
  }

  private static String pipeline() {
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: server-restart, namespace: e2e}
            spec:
              defaults:
                timeout: 10s
                retry: {maxAttempts: 5, backoff: fixed, interval: 1s}
              tasks:
            """);
    for (int step = 1; step <= TASKS; step++) {
      yaml.append("    - name: step-").append(step).append('\n');
      if (step > 1) {
        yaml.append("      dependsOn: [step-").append(step - 1).append("]\n");
      }
      yaml.append("      simulate: {duration: 1500ms, output: out-").append(step).append("}\n");
    }
    return yaml.toString();
  }
}
