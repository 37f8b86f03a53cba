package io.capstan.api.runs;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.Definitions;
import io.capstan.definitions.Definition;
import io.capstan.definitions.DefinitionParser;
import io.capstan.workflows.RunSearchAttributes;
import io.temporal.common.SearchAttributes;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("What a run carries for Temporal's own tools")
class RunMetadataTest {
  private static final String WIDE_PIPELINE =
      """
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
          - name: transform
            dependsOn: [extract]
            container: {image: data-transformer:1.4, command: [transform]}
          - name: validate-gpus
            gpu: {devices: 1, op: burn-in, duration: 30s}
          - name: load
            dependsOn: [transform, validate-gpus]
            shell: {command: [sh, -c, "echo loaded"]}
      """;

  private static Definition parse(String yaml) {
    return DefinitionParser.parse(yaml).get(0);
  }

  @Test
  @DisplayName("the summary names the kind, namespace, name, task count and parallelism")
  void summaryOfPipeline() {
    assertThat(RunMetadata.summary(parse(WIDE_PIPELINE)))
        .isEqualTo("Pipeline team-a/nightly-etl: 4 tasks, parallelism 4");
    assertThat(RunMetadata.summary(parse(Definitions.JOB)))
        .isEqualTo("Job default/backup: simulate");
  }

  @Test
  @DisplayName("the details list each task with its executor and what it waits for, as markdown")
  void detailsListTasks() {
    assertThat(RunMetadata.details(parse(WIDE_PIPELINE)))
        .isEqualTo(
            """
            - **extract**: simulate
            - **transform**: container `data-transformer:1.4`, after extract
            - **validate-gpus**: gpu burn-in
            - **load**: shell, after transform, validate-gpus
            """);
  }

  @Test
  @DisplayName("a pipeline too wide for Temporal's details limit is cut with a count of the rest")
  void detailsOfHugePipelineAreBounded() {
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {name: huge}\nspec:\n  tasks:\n");
    for (int i = 0; i < 2000; i++) {
      yaml.append("    - {name: task-number-").append(i).append(", simulate: {}}\n");
    }

    String details = RunMetadata.details(parse(yaml.toString()));

    assertThat(details.length()).isLessThanOrEqualTo(RunMetadata.DETAILS_LIMIT);
    assertThat(details)
        .startsWith("- **task-number-0**: simulate\n")
        .containsPattern("- … and \\d+ more tasks\n$");
  }

  @Test
  @DisplayName("search attributes carry kind, name, namespace and sorted key=value labels")
  void searchAttributesCarryIdentityAndLabels() {
    Definition definition = parse(WIDE_PIPELINE);

    SearchAttributes attributes =
        RunMetadata.searchAttributes(RunKind.PIPELINE, definition.metadata());

    assertThat(attributes.get(RunSearchAttributes.KIND)).isEqualTo("Pipeline");
    assertThat(attributes.get(RunSearchAttributes.NAME)).isEqualTo("nightly-etl");
    assertThat(attributes.get(RunSearchAttributes.NAMESPACE)).isEqualTo("team-a");
    assertThat(attributes.get(RunSearchAttributes.LABELS))
        .isEqualTo(List.of("owner=data", "tier=gold"));
  }

  @Test
  @DisplayName("a run without labels carries no CapstanLabels rather than an empty list")
  void noLabelsNoLabelAttribute() {
    SearchAttributes attributes =
        RunMetadata.searchAttributes(RunKind.JOB, parse(Definitions.JOB).metadata());

    assertThat(attributes.containsKey(RunSearchAttributes.LABELS)).isFalse();
    assertThat(attributes.size()).isEqualTo(3);
  }

  @Test
  @DisplayName("the memo names the run under its capstan keys and keeps the definition text")
  void memoKeepsIdentityAndDefinition() {
    Definition definition = parse(Definitions.JOB);

    assertThat(RunMetadata.memo(RunKind.JOB, definition.metadata(), Definitions.JOB))
        .containsExactly(
            java.util.Map.entry("capstanKind", "Job"),
            java.util.Map.entry("capstanName", "backup"),
            java.util.Map.entry("capstanNamespace", "default"),
            java.util.Map.entry("definition", Definitions.JOB));
  }
}
