package io.capstan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.runs.RunIds;
import io.capstan.api.runs.RunKind;
import io.capstan.testkit.Eventually;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client whose submission got no answer because the API died under it resends the same request
 * with the same {@code Idempotency-Key}, and ends up with exactly one run, whether or not the first
 * request got as far as starting it.
 *
 * <p>Each Temporal server the tests run against has a subclass that registers its stack.
 */
abstract class IdempotentResubmissionScenario {
  /** The stack the subclass registers for its class. */
  abstract TemporalStack<?> stack();

  @DisplayName("a resend with the same Idempotency-Key after the API was killed yields one run")
  @ParameterizedTest(name = "Capstan killed {0} ms after the request was sent")
  @ValueSource(ints = {0, 400})
  void aResendAfterTheApiWasKilledFindsOrStartsOneRun(int killDelayMillis) throws Exception {
    String name = "idem-" + killDelayMillis;
    String key = "e2e-" + UUID.randomUUID();
    String yaml =
        """
        apiVersion: capstan.io/v1
        kind: Pipeline
        metadata: {name: %s, namespace: e2e}
        spec:
          # A worker killed during the task: the attempt times out soon and is retried.
          defaults:
            timeout: 5s
            retry: {maxAttempts: 3, backoff: fixed, interval: 1s}
          tasks:
            - name: only
              simulate: {duration: 1s, output: once}
        """
            .formatted(name);
    String expectedId = RunIds.forIdempotencyKey(RunKind.PIPELINE, "e2e", name, key);

    String firstAnswer = sendThenKill(yaml, key, killDelayMillis);
    boolean startedBeforeKill =
        stack().temporal().temporal("workflow", "describe", "--workflow-id", expectedId).exitCode()
            == 0;
    System.out.printf(
        "idempotency (kill after %d ms): first request %s, run started before the kill: %s%n",
        killDelayMillis,
        firstAnswer.isEmpty() ? "got no answer" : "was answered " + firstAnswer,
        startedBeforeKill);

    stack().capstan().restart();
    Api.Response resend =
        stack().api().post("/api/v1/runs", Api.YAML, yaml, Map.of("Idempotency-Key", key));
    assertThat(resend.status())
        .as("201 when the resend started the run, 200 when it found it: %s", resend)
        .isEqualTo(startedBeforeKill ? 200 : 201);
    assertThat(resend.json().get("id").asText()).isEqualTo(expectedId);

    Api.Response again =
        stack().api().post("/api/v1/runs", Api.YAML, yaml, Map.of("Idempotency-Key", key));
    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    assertThat(again.json().get("id").asText()).isEqualTo(expectedId);

    Eventually.within(
        Duration.ofSeconds(30),
        () ->
            assertThat(stack().api().run(expectedId).get("status").asText())
                .isEqualTo("COMPLETED"));
    // Visibility lags a little behind the start, so wait until it lists the run, then count.
    Eventually.within(
        Duration.ofSeconds(15),
        () -> assertThat(listed("CapstanName='" + name + "'")).containsExactly(expectedId));
    assertThat(listed("WorkflowId STARTS_WITH 'pipeline-e2e-" + name + "-'"))
        .as("no other run of this definition exists under any id")
        .containsExactly(expectedId);
  }

  /**
   * Writes the whole request on a raw socket, so it has certainly been sent, waits {@code delay},
   * then kills Capstan; returns the status line if an answer made it out before the kill.
   */
  private String sendThenKill(String yaml, String key, int delayMillis) throws IOException {
    URI base = URI.create(stack().api().base());
    byte[] body = yaml.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /api/v1/runs HTTP/1.1\r\n"
            + "Host: "
            + base.getHost()
            + ":"
            + base.getPort()
            + "\r\nContent-Type: application/yaml\r\nIdempotency-Key: "
            + key
            + "\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      RealTime.pass(Duration.ofMillis(delayMillis));
      stack().capstan().kill();
      return statusLine(socket);
    }
  }

  private static String statusLine(Socket socket) throws IOException {
    socket.setSoTimeout(2000);
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (InputStream in = socket.getInputStream()) {
      in.transferTo(received);
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // A reset or silence is what a killed server leaves; whatever arrived before still counts.
    }
    String text = received.toString(StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n");
    return end < 0 ? text : text.substring(0, end);
  }

  private List<String> listed(String query) {
    return stack().temporal().listWorkflowIds(query);
  }
}
