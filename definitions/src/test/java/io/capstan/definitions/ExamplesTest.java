package io.capstan.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.definitions.job.ScheduleOverlap;
import io.capstan.definitions.pipeline.TaskSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("The example definitions are valid and do what their comments say")
class ExamplesTest {
  static Stream<Path> examples() {
    return Examples.all().stream();
  }

  @Test
  void theDocumentedExamplesAreAllThere() {
    assertThat(Examples.all())
        .extracting(p -> p.getFileName().toString())
        .contains(
            "nightly-etl.yaml",
            "nightly-etl-simulated.yaml",
            "hello-pipeline.yaml",
            "shell-pipeline.yaml",
            "flaky-job.yaml",
            "long-pipeline.yaml",
            "scheduled-job.yaml",
            "container-pipeline.yaml");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleIsAValidDefinition(Path file) {
    assertThat(DefinitionParser.parse(Examples.read(file))).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleButTheSpecOneRunsOnTodaysWorkers(Path file) {
    if (file.getFileName().toString().equals("nightly-etl.yaml")) {
      return;
    }
    // Container tasks run on the local cluster ./capstan up starts (or the one it is given).
    Set<ExecutorKind> runnable =
        EnumSet.of(ExecutorKind.SIMULATE, ExecutorKind.SHELL, ExecutorKind.CONTAINER);
    for (Definition definition : DefinitionParser.parse(Examples.read(file))) {
      if (definition instanceof PipelineDefinition pipeline) {
        assertThat(pipeline.spec().tasks())
            .extracting(TaskSpec::executorKind)
            .allMatch(runnable::contains);
      } else {
        assertThat(((JobDefinition) definition).spec().executorKind()).isIn(runnable);
      }
    }
  }

  @Test
  void theSpecExampleUsesTheExecutorsThatAreNotServedYet() {
    PipelineDefinition pipeline =
        (PipelineDefinition) DefinitionParser.parse(Examples.read("nightly-etl.yaml")).get(0);

    assertThat(pipeline.spec().tasks())
        .extracting(TaskSpec::executorKind)
        .contains(ExecutorKind.CONTAINER, ExecutorKind.GPU);
  }

  @Test
  void helloPipelineIsASmallDagWithParamsOutputsAndOneRetry() {
    PipelineDefinition hello =
        (PipelineDefinition) DefinitionParser.parse(Examples.read("hello-pipeline.yaml")).get(0);

    List<TaskSpec> tasks = hello.spec().tasks();
    assertThat(tasks).hasSize(6);
    assertThat(tasks)
        .extracting(t -> t.simulate().duration())
        .allMatch(d -> d.compareTo(Duration.ofSeconds(2)) >= 0)
        .allMatch(d -> d.compareTo(Duration.ofSeconds(4)) <= 0);
    assertThat(hello.spec().params()).isNotEmpty();
    assertThat(tasks).anyMatch(t -> t.simulate().output().contains("#{params."));
    assertThat(tasks).anyMatch(t -> t.simulate().output().contains(".output}"));
    assertThat(tasks)
        .filteredOn(t -> t.simulate().failAttempts() > 0)
        .singleElement()
        .satisfies(
            t ->
                assertThat(hello.spec().defaults().retry().maxAttempts())
                    .isGreaterThan(t.simulate().failAttempts()));
  }

  @Test
  void longPipelineLeavesTimeToCancel() {
    PipelineDefinition slow =
        (PipelineDefinition) DefinitionParser.parse(Examples.read("long-pipeline.yaml")).get(0);

    assertThat(slow.spec().tasks())
        .extracting(t -> t.simulate().duration())
        .allMatch(d -> d.compareTo(Duration.ofSeconds(20)) >= 0);
  }

  @Test
  void flakyJobRestartsAndRunsSeveralCompletions() {
    JobDefinition job =
        (JobDefinition) DefinitionParser.parse(Examples.read("flaky-job.yaml")).get(0);

    assertThat(job.spec().restartPolicy().maxRetries()).isPositive();
    assertThat(job.spec().parallelism().completions()).isGreaterThan(1);
    assertThat(job.spec().parallelism().maxConcurrent()).isGreaterThan(1);
  }

  @Test
  void shellPipelineRunsShellTasksOnly() {
    PipelineDefinition shell =
        (PipelineDefinition) DefinitionParser.parse(Examples.read("shell-pipeline.yaml")).get(0);

    assertThat(shell.spec().tasks())
        .extracting(TaskSpec::executorKind)
        .containsOnly(ExecutorKind.SHELL);
    assertThat(shell.spec().tasks()).allMatch(t -> t.shell().command().get(0).equals("sh"));
  }

  @Test
  void scheduledJobRunsEveryMinuteForTwoSeconds() {
    JobDefinition job =
        (JobDefinition) DefinitionParser.parse(Examples.read("scheduled-job.yaml")).get(0);

    assertThat(job.spec().schedule().cron()).isEqualTo("* * * * *");
    assertThat(job.spec().schedule().overlap()).isEqualTo(ScheduleOverlap.BUFFER_ONE);
    assertThat(job.spec().schedule().catchupWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(job.spec().schedule().paused()).isFalse();
    assertThat(job.spec().simulate().duration()).isEqualTo(Duration.ofSeconds(2));
  }
}
