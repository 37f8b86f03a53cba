package io.capstan.definitions.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.Durations;
import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.executor.ContainerSpec;
import io.capstan.definitions.executor.SimulateSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The planner lays a pipeline out in levels and finds its critical path")
class PlannerTest {
  private static PipelineDefinition pipeline(String tasks) {
    return (PipelineDefinition)
        DefinitionParser.parse(
                "apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n" + tasks)
            .get(0);
  }

  @Test
  void aDiamondHasThreeLevelsAndItsSlowerBranchIsCritical() {
    Plan plan =
        Planner.plan(
            pipeline(
                """
                  tasks:
                    - {name: a, simulate: {duration: 1s}}
                    - {name: fast, dependsOn: [a], simulate: {duration: 2s}}
                    - {name: slow, dependsOn: [a], simulate: {duration: 5s}}
                    - {name: d, dependsOn: [fast, slow], simulate: {duration: 1s}}
                    - {name: alone, simulate: {duration: 3s}}
                """));

    assertThat(plan.levels())
        .containsExactly(List.of("a", "alone"), List.of("fast", "slow"), List.of("d"));
    assertThat(plan.criticalPath()).containsExactly("a", "slow", "d");
    assertThat(plan.estimatedDuration()).isEqualTo(Duration.ofSeconds(7));
    assertThat(Durations.format(plan.estimatedDuration())).isEqualTo("7s");
  }

  @Test
  void withoutAnyEstimateTheLongestChainIsCritical() {
    Plan plan =
        Planner.plan(
            pipeline(
                """
                  tasks:
                    - {name: a, shell: {command: [true]}}
                    - {name: b, dependsOn: [a], shell: {command: [true]}}
                    - {name: c, dependsOn: [b], shell: {command: [true]}}
                    - {name: x, shell: {command: [true]}}
                    - {name: y, dependsOn: [x], shell: {command: [true]}}
                """));

    assertThat(plan.criticalPath()).containsExactly("a", "b", "c");
    assertThat(plan.estimatedDuration()).isEqualTo(Duration.ZERO);
  }

  @Test
  void aTaskWithoutSimulationCountsItsTimeoutOrTheDefaultOne() {
    Plan plan =
        Planner.plan(
            pipeline(
                """
                  defaults: {timeout: 10m}
                  tasks:
                    - {name: build, timeout: 1h, shell: {command: [make]}}
                    - {name: test, dependsOn: [build], shell: {command: [make, test]}}
                    - {name: quick, simulate: {duration: 30m}}
                """));

    assertThat(plan.criticalPath()).containsExactly("build", "test");
    assertThat(plan.estimatedDuration()).isEqualTo(Duration.ofMinutes(70));
  }

  @Test
  void aSimulatedTaskThatFailsFirstCountsEveryAttemptItWillMake() {
    PipelineDefinition definition =
        pipeline(
            """
              defaults: {retry: {maxAttempts: 2}}
              tasks:
                - {name: capped, simulate: {duration: 3s, failAttempts: 5}}
                - name: retried
                  retry: {maxAttempts: 4}
                  simulate: {duration: 1s, failAttempts: 2}
            """);
    TaskDefaults defaults = definition.spec().defaults();
    List<TaskSpec> tasks = definition.spec().tasks();

    assertThat(Planner.expected(tasks.get(0), defaults)).isEqualTo(Duration.ofSeconds(6));
    assertThat(Planner.expected(tasks.get(1), defaults)).isEqualTo(Duration.ofSeconds(3));
    assertThat(Planner.plan(definition).criticalPath()).containsExactly("capped");
  }

  @Test
  void theHelloExampleRunsInFourLevelsAroundItsRetriedTask() throws Exception {
    Path hello = Path.of("examples", "hello-pipeline.yaml");
    if (!Files.exists(hello)) {
      hello = Path.of("definitions", "examples", "hello-pipeline.yaml");
    }
    Plan plan =
        Planner.plan((PipelineDefinition) DefinitionParser.parse(Files.readString(hello)).get(0));

    assertThat(plan.levels())
        .containsExactly(
            List.of("fetch-customers", "fetch-orders", "fetch-products"),
            List.of("join"),
            List.of("enrich"),
            List.of("publish"));
    assertThat(plan.criticalPath()).containsExactly("fetch-orders", "join", "enrich", "publish");
    assertThat(plan.estimatedDuration()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void aCycleIsRefusedBecauseOnlyValidatedPipelinesArePlanned() {
    PipelineSpec cyclic =
        new PipelineSpec(
            null,
            null,
            null,
            null,
            null,
            List.of(
                new TaskSpec(
                    "a",
                    List.of("b"),
                    null,
                    null,
                    new SimulateSpec(null, null, null, null, null),
                    null,
                    null,
                    null),
                new TaskSpec(
                    "b",
                    List.of("a"),
                    null,
                    null,
                    null,
                    null,
                    new ContainerSpec("i", null, null, null, null, null, null, null),
                    null)));

    assertThatThrownBy(() -> Planner.plan(cyclic))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cycle");
  }
}
