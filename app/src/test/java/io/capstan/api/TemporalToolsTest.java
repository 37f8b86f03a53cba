package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.PipelineDefinition;
import io.capstan.workflows.RunSearchAttributes;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.pipeline.PipelineInput;
import io.capstan.workflows.pipeline.PipelineWorkflow;
import io.javalin.testtools.JavalinTest;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.common.converter.DataConverter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A started run is readable with Temporal's own tools")
class TemporalToolsTest {
  /** A pipeline with labels and a comment, to see both survive into Temporal. */
  private static final String LABELLED =
      """
      # Loads the warehouse every night.
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata:
        name: nightly-etl
        namespace: team-a
        labels: {tier: gold, owner: data}
      spec:
        parallelism: 4
        tasks:
          - name: extract
            simulate: {output: rows}
          - name: load
            dependsOn: [extract]
            simulate: {output: loaded}
      """;

  private static TestTemporal temporal;

  @BeforeAll
  static void startTemporal() {
    temporal = TestTemporal.start();
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  private static DescribeWorkflowExecutionResponse describe(String id) {
    return temporal
        .client()
        .getWorkflowServiceStubs()
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace("default")
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                .build());
  }

  private static <T> T decode(Payload payload, Class<T> type) {
    return DataConverter.getDefaultInstance().fromPayload(payload, type, type);
  }

  @Test
  @DisplayName("it carries Capstan's typed search attributes, labels as sorted key=value")
  void carriesSearchAttributes() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          String id = InspectRunsTest.submit(new Http(client), LABELLED);

          Map<String, Payload> attributes =
              describe(id).getWorkflowExecutionInfo().getSearchAttributes().getIndexedFieldsMap();

          assertThat(decode(attributes.get("CapstanKind"), String.class)).isEqualTo("Pipeline");
          assertThat(decode(attributes.get("CapstanName"), String.class)).isEqualTo("nightly-etl");
          assertThat(decode(attributes.get("CapstanNamespace"), String.class)).isEqualTo("team-a");
          assertThat(decode(attributes.get("CapstanLabels"), List.class))
              .containsExactly("owner=data", "tier=gold");
          assertThat(attributes.get("CapstanKind").getMetadataMap().get("type").toStringUtf8())
              .isEqualTo("Keyword");
          temporal.awaitResult(id);
        });
  }

  @Test
  @DisplayName("its memo names it and holds the submitted document as written, comment included")
  void memoHoldsTheSubmittedDocument() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          String id = InspectRunsTest.submit(new Http(client), LABELLED);

          Map<String, Payload> memo =
              describe(id).getWorkflowExecutionInfo().getMemo().getFieldsMap();

          assertThat(decode(memo.get("capstanKind"), String.class)).isEqualTo("Pipeline");
          assertThat(decode(memo.get("capstanName"), String.class)).isEqualTo("nightly-etl");
          assertThat(decode(memo.get("capstanNamespace"), String.class)).isEqualTo("team-a");
          assertThat(decode(memo.get("definition"), String.class)).isEqualTo(LABELLED);
          temporal.awaitResult(id);
        });
  }

  @Test
  @DisplayName("each document of a multi-document submit keeps its own text in its own run")
  void eachDocumentKeepsItsOwnText() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer =
              new Http(client)
                  .post(
                      "/api/v1/runs", Definitions.JOB + "---\n" + Definitions.PIPELINE, Http.YAML);

          assertThat(answer.status()).as(answer.text()).isEqualTo(201);
          String job = answer.json().path("runs").get(0).path("id").asText();
          String pipeline = answer.json().path("runs").get(1).path("id").asText();
          assertThat(definitionOf(job)).isEqualTo(Definitions.JOB);
          assertThat(definitionOf(pipeline)).isEqualTo(Definitions.PIPELINE);
          temporal.awaitResult(job);
          temporal.awaitResult(pipeline);
        });
  }

  private static String definitionOf(String id) {
    return decode(
        describe(id).getWorkflowExecutionInfo().getMemo().getFieldsMap().get("definition"),
        String.class);
  }

  @Test
  @DisplayName("its static summary and details say what it is, for the Web UI's header")
  void staticSummaryAndDetails() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          String id = InspectRunsTest.submit(new Http(client), LABELLED);

          var metadata = describe(id).getExecutionConfig().getUserMetadata();

          assertThat(decode(metadata.getSummary(), String.class))
              .isEqualTo("Pipeline team-a/nightly-etl: 2 tasks, parallelism 4");
          assertThat(decode(metadata.getDetails(), String.class))
              .isEqualTo("- **extract**: simulate\n- **load**: simulate, after extract\n");
          temporal.awaitResult(id);
        });
  }

  @Test
  @DisplayName("links.temporalUi opens the run in the Web UI of the configured Temporal")
  void linkOpensTheRunInTheWebUi() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = InspectRunsTest.submit(http, Definitions.JOB);

          String link =
              http.get("/api/v1/runs/" + id).json().path("links").path("temporalUi").asText();

          assertThat(link).isEqualTo("http://localhost:8233/namespaces/default/workflows/" + id);
          temporal.awaitResult(id);
        });
  }

  @Test
  @DisplayName("a run is known by its search attributes alone, as by its memo alone")
  void identityFromSearchAttributesOrMemo() {
    PipelineDefinition definition =
        (PipelineDefinition) DefinitionParser.parse(Definitions.PIPELINE).get(0);
    WorkflowClient workflows = temporal.client();
    WorkflowOptions attributesOnly =
        WorkflowOptions.newBuilder()
            .setWorkflowId("pipeline-team-a-by-attributes-00000001")
            .setTaskQueue(TaskQueues.CONTROL_PLANE)
            .setTypedSearchAttributes(
                SearchAttributes.newBuilder()
                    .set(RunSearchAttributes.KIND, "Pipeline")
                    .set(RunSearchAttributes.NAME, "by-attributes")
                    .set(RunSearchAttributes.NAMESPACE, "team-a")
                    .build())
            .build();
    WorkflowOptions memoOnly =
        WorkflowOptions.newBuilder()
            .setWorkflowId("pipeline-team-b-by-memo-00000001")
            .setTaskQueue(TaskQueues.CONTROL_PLANE)
            .setMemo(
                Map.of(
                    "capstanKind", "Pipeline",
                    "capstanName", "by-memo",
                    "capstanNamespace", "team-b"))
            .build();
    for (WorkflowOptions options : List.of(attributesOnly, memoOnly)) {
      PipelineWorkflow stub = workflows.newWorkflowStub(PipelineWorkflow.class, options);
      WorkflowClient.start(stub::run, PipelineInput.of(definition, Map.of()));
    }
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);

          var byAttributes = http.get("/api/v1/runs/pipeline-team-a-by-attributes-00000001").json();
          var byMemo = http.get("/api/v1/runs/pipeline-team-b-by-memo-00000001").json();

          assertThat(byAttributes.path("name").asText()).isEqualTo("by-attributes");
          assertThat(byAttributes.path("namespace").asText()).isEqualTo("team-a");
          assertThat(byMemo.path("name").asText()).isEqualTo("by-memo");
          assertThat(byMemo.path("namespace").asText()).isEqualTo("team-b");
        });
  }
}
