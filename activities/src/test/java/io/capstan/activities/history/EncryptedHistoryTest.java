package io.capstan.activities.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.capstan.activities.task.SecretResolver;
import io.capstan.activities.task.ShellPolicy;
import io.capstan.activities.task.TaskActivitiesImpl;
import io.capstan.activities.task.TaskActivitiesOptions;
import io.capstan.codec.AesGcmPayloadCodec;
import io.capstan.codec.CapstanDataConverter;
import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.PipelineDefinition;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.pipeline.PipelineInput;
import io.capstan.workflows.pipeline.PipelineWorkflow;
import io.capstan.workflows.pipeline.PipelineWorkflowImpl;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.RunState;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.History;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The history inspection: a pipeline that uses a secret runs on real executors with the
 * payload codec, then its raw history is read through the service, without the codec. Neither the
 * secret nor the task's plaintext output nor anything the definition said may be readable there.
 */
@DisplayName("A run's raw history holds no secret, no plaintext output and no readable definition")
class EncryptedHistoryTest {
  // Distinct per run, so a match can only come from this run's data.
  private final String secret = "pw-" + UUID.randomUUID();
  private final String output = "PLAINTEXT-OUTPUT-" + UUID.randomUUID();
  private final String param = "PARAM-VALUE-" + UUID.randomUUID();
  private final String literal = "ENV-LITERAL-" + UUID.randomUUID();
  private final String memo = "MEMO-TEXT-" + UUID.randomUUID();
  private final String summary = "SUMMARY-TEXT-" + UUID.randomUUID();

  private AesGcmPayloadCodec codec;
  private TestWorkflowEnvironment testEnv;

  @BeforeEach
  void start() {
    byte[] key = new byte[AesGcmPayloadCodec.KEY_BYTES];
    new SecureRandom().nextBytes(key);
    codec = AesGcmPayloadCodec.withKey("test-key", key);
    testEnv =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .setWorkflowClientOptions(
                    WorkflowClientOptions.newBuilder()
                        .setDataConverter(CapstanDataConverter.create(Optional.of(codec)))
                        .build())
                .build());
    testEnv
        .newWorker(TaskQueues.CONTROL_PLANE)
        .registerWorkflowImplementationTypes(PipelineWorkflowImpl.class);
    Worker worker = testEnv.newWorker(TaskQueues.TASKS);
    worker.registerActivitiesImplementations(
        new TaskActivitiesImpl(
            new TaskActivitiesOptions(
                new ShellPolicy(true, Map.of("team-a", List.of("sh"))),
                "worker-1",
                null,
                Duration.ofMillis(50),
                SecretResolver.fromEnvironment(
                    Map.of("CAPSTAN_SECRET_DB_PASSWORD", secret), null))));
    testEnv.start();
  }

  @AfterEach
  void stop() {
    testEnv.close();
  }

  @Test
  void theRawHistoryIsCiphertextAndTheCodecReadsItBack() {
    PipelineDefinition definition =
        (PipelineDefinition)
            DefinitionParser.parse(
                    """
                    apiVersion: capstan.io/v1
                    kind: Pipeline
                    metadata: {name: secret-run, namespace: team-a}
                    spec:
                      params: {target: "{param}"}
                      tasks:
                        - name: connect
                          shell:
                            command:
                              - sh
                              - -c
                              - 'test -n "$DB_PASSWORD" && echo "{output} $TARGET $EXTRA $DB_PASSWORD"'
                            env:
                              - {name: DB_PASSWORD, secretRef: db-password}
                              - {name: TARGET, value: "#{params.target}"}
                              - {name: EXTRA, value: "{literal}"}
                        - name: report
                          dependsOn: [connect]
                          simulate: {output: "reported #{connect.output}"}
                    """
                        .replace("{output}", output)
                        .replace("{param}", param)
                        .replace("{literal}", literal))
                .get(0);
    String workflowId = "history-inspection-" + UUID.randomUUID();
    PipelineWorkflow run =
        testEnv
            .getWorkflowClient()
            .newWorkflowStub(
                PipelineWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(workflowId)
                    .setTaskQueue(TaskQueues.CONTROL_PLANE)
                    .setMemo(Map.of("definition", memo))
                    .setStaticSummary(summary)
                    .build());
    WorkflowClient.start(run::run, PipelineInput.of(definition, Map.of()));

    RunState state = WorkflowStub.fromTyped(run).getResult(RunState.class);

    // Through the codec, the run reads as usual, with the secret masked in the output.
    String expected = output + " " + param + " " + literal + " ***";
    assertThat(state.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(state.tasks().get("connect").output()).isEqualTo(expected);
    assertThat(state.tasks().get("report").output()).isEqualTo("reported " + expected);

    History history = rawHistory(workflowId);
    List<Payload> payloads = new ArrayList<>();
    collectPayloads(history, payloads);

    assertThat(payloads).as("the history's payloads").hasSizeGreaterThan(5);
    assertThat(payloads)
        .as("every payload is encrypted")
        .allSatisfy(payload -> assertThat(AesGcmPayloadCodec.isEncrypted(payload)).isTrue());
    for (String plaintext : List.of(secret, output, param, literal, memo, summary, "db-password")) {
      assertThat(payloads)
          .as("no payload holds '%s'", plaintext)
          .noneSatisfy(payload -> assertThat(contains(payload.toByteString(), plaintext)).isTrue());
    }
    for (String plaintext : List.of(secret, output, param, literal, memo, summary)) {
      assertThat(contains(history.toByteString(), plaintext))
          .as("the serialized history holds '%s'", plaintext)
          .isFalse();
    }

    List<Payload> decoded = codec.decode(payloads);
    assertThat(decoded)
        .as("decoded with the key, the output is there")
        .anySatisfy(payload -> assertThat(contains(payload.getData(), output)).isTrue());
    assertThat(decoded)
        .as("and the secret is not, even decoded")
        .noneSatisfy(payload -> assertThat(contains(payload.getData(), secret)).isTrue());
  }

  private History rawHistory(String workflowId) {
    History.Builder history = History.newBuilder();
    ByteString page = ByteString.EMPTY;
    do {
      var response =
          testEnv
              .getWorkflowServiceStubs()
              .blockingStub()
              .getWorkflowExecutionHistory(
                  GetWorkflowExecutionHistoryRequest.newBuilder()
                      .setNamespace(testEnv.getNamespace())
                      .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                      .setNextPageToken(page)
                      .build());
      history.addAllEvents(response.getHistory().getEventsList());
      page = response.getNextPageToken();
    } while (!page.isEmpty());
    return history.build();
  }

  /**
   * Every {@link Payload} anywhere in {@code message}: inputs, results, failures, memo, headers.
   */
  /**
   * Every payload in {@code message} but those Temporal never encodes, by design: search
   * attributes, which the server indexes, and the SDK's version markers, which it writes with its
   * standard converter so any worker can read them. {@code Workflow.getVersion} writes both (the
   * marker and {@code TemporalChangeVersion}), holding change ids only; that they hold nothing
   * secret is checked on the serialized history as a whole.
   */
  private static void collectPayloads(Message message, List<Payload> into) {
    if (message instanceof io.temporal.api.common.v1.SearchAttributes
        || (message instanceof io.temporal.api.history.v1.MarkerRecordedEventAttributes marker
            && marker.getMarkerName().equals("Version"))) {
      return;
    }
    if (message instanceof Payload payload) {
      into.add(payload);
      return;
    }
    message
        .getAllFields()
        .forEach(
            (field, value) -> {
              if (value instanceof Message child) {
                collectPayloads(child, into);
              } else if (value instanceof List<?> items) {
                for (Object item : items) {
                  if (item instanceof Message child) {
                    collectPayloads(child, into);
                  }
                }
              }
            });
  }

  private static boolean contains(ByteString bytes, String text) {
    byte[] haystack = bytes.toByteArray();
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
