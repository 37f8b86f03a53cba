package io.capstan.workflows.pipeline;

import static io.capstan.workflows.fake.TestDefinitions.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DagState of one segment: dependencies outside it have been met")
class DagStateSegmentTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  @DisplayName("a task whose only dependency is outside the segment is ready at once")
  void outsideDependenciesAreMet() {
    DagState dag =
        new DagState(
            List.of(task("b", "x", "outside"), task("c", "x", "b")),
            OnFailure.STOP,
            null,
            Map.of("outside", succeeded("o")),
            Set.of());

    assertThat(dag.hasReady()).isTrue();
    assertThat(dag.startNext(T0).name()).isEqualTo("b");
    assertThat(dag.outputs()).containsEntry("outside", "o");
    assertThat(dag.tasks()).containsOnlyKeys("b", "c");
  }

  @Test
  @DisplayName("a retry never puts back a task that a failure in another segment skipped")
  void blockedTasksStaySkipped() {
    TaskState skipped =
        new TaskState(TaskPhase.SKIPPED, 0, null, "skipped: ancestor 'far' failed", null, T0, null);
    DagState dag =
        new DagState(
            List.of(task("a", "x"), task("b", "x", "a", "far")),
            OnFailure.CONTINUE,
            Map.of("b", skipped),
            Map.of(),
            Set.of("b"));
    dag.startNext(T0);
    dag.ended("a", new TaskState(TaskPhase.FAILED, 1, null, "boom", T0, T0, null));

    List<String> reset = dag.retry("a");

    assertThat(reset).containsExactly("a");
    assertThat(dag.state("b").state()).isEqualTo(TaskPhase.SKIPPED);
    assertThat(dag.failedAncestors("b")).isEmpty();
  }

  private static TaskState succeeded(String output) {
    return new TaskState(TaskPhase.SUCCEEDED, 1, output, null, T0, T0, null);
  }
}
