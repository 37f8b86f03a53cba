package io.capstan.workflows.pipeline;

import static io.capstan.workflows.fake.TestDefinitions.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.definitions.pipeline.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SegmentPlanner cuts a pipeline into segments in level order")
class SegmentPlannerTest {

  @Test
  @DisplayName("a fan-out gives its root a segment of its own, which every other one needs")
  void aFanOut() {
    List<TaskSpec> tasks = new ArrayList<>(List.of(task("root", "r")));
    for (int i = 0; i < 25; i++) {
      tasks.add(task("leaf" + i, "#{root.output}", "root"));
    }
    tasks.add(task("join", "j", "leaf0", "leaf24"));

    SegmentPlanner.Cut cut = SegmentPlanner.cut(tasks, 10, Integer.MAX_VALUE, t -> 1);

    assertThat(cut.segments()).extracting(List::size).containsExactly(1, 10, 10, 5, 1);
    assertThat(cut.segments().get(0).get(0).name()).isEqualTo("root");
    assertThat(SegmentPlanner.dependencies(cut, 0)).isEmpty();
    assertThat(SegmentPlanner.dependencies(cut, 1)).containsExactly(0);
    assertThat(SegmentPlanner.dependencies(cut, 3)).containsExactly(0);
    assertThat(SegmentPlanner.dependencies(cut, 4)).containsExactly(1, 3);
    assertThat(SegmentPlanner.outside(cut, 2)).isEqualTo(Map.of("root", 0));
  }

  @Test
  @DisplayName("narrow levels share a segment while they fit; the next that does not starts one")
  void levelsShareWhileTheyFit() {
    List<TaskSpec> tasks = new ArrayList<>();
    for (int level = 0; level < 4; level++) {
      for (int i = 0; i < 4; i++) {
        tasks.add(
            level == 0
                ? task("l0-" + i, "x")
                : task("l" + level + "-" + i, "x", "l" + (level - 1) + "-" + i));
      }
    }

    SegmentPlanner.Cut cut = SegmentPlanner.cut(tasks, 10, Integer.MAX_VALUE, t -> 1);

    assertThat(cut.segments()).extracting(List::size).containsExactly(8, 8);
  }

  @Test
  @DisplayName("a chain becomes consecutive segments, each depending on the one before")
  void aChain() {
    List<TaskSpec> tasks = new ArrayList<>(List.of(task("t0", "x")));
    for (int i = 1; i < 25; i++) {
      tasks.add(task("t" + i, "x", "t" + (i - 1)));
    }

    SegmentPlanner.Cut cut = SegmentPlanner.cut(tasks, 10, Integer.MAX_VALUE, t -> 1);

    assertThat(cut.segments()).extracting(List::size).containsExactly(10, 10, 5);
    assertThat(SegmentPlanner.dependencies(cut, 2)).containsExactly(1);
    assertThat(SegmentPlanner.outside(cut, 1)).containsOnlyKeys("t9");
  }

  @Test
  @DisplayName(
      "tasks are ordered by level, so a task listed before its dependency still follows it")
  void levelOrderBeatsDefinitionOrder() {
    List<TaskSpec> tasks =
        List.of(task("late", "x", "early"), task("other", "x"), task("early", "x"));

    SegmentPlanner.Cut cut = SegmentPlanner.cut(tasks, 2, Integer.MAX_VALUE, t -> 1);

    assertThat(cut.segments().get(0)).extracting(TaskSpec::name).containsExactly("other", "early");
    assertThat(cut.segments().get(1)).extracting(TaskSpec::name).containsExactly("late");
  }

  @Test
  @DisplayName("a segment also ends at its byte limit, and a task larger than it gets its own")
  void bytesCutToo() {
    List<TaskSpec> tasks = List.of(task("a", "x"), task("b", "x"), task("c", "x"), task("d", "x"));

    SegmentPlanner.Cut cut =
        SegmentPlanner.cut(tasks, 10, 100, t -> t.name().equals("c") ? 500 : 40);

    assertThat(cut.segments()).extracting(List::size).containsExactly(2, 1, 1);
  }

  @Test
  @DisplayName(
      "an output named in a template of an ancestor outside the segment is an outside task")
  void templatesNameOutsideTasks() {
    List<TaskSpec> tasks =
        List.of(task("a", "x"), task("b", "x", "a"), task("c", "#{a.output}", "b"));

    SegmentPlanner.Cut cut = SegmentPlanner.cut(tasks, 1, Integer.MAX_VALUE, t -> 1);

    assertThat(SegmentPlanner.outside(cut, 2)).isEqualTo(Map.of("a", 0, "b", 1));
    assertThat(SegmentPlanner.dependencies(cut, 2)).containsExactly(0, 1);
  }

  @Test
  @DisplayName("a cycle is refused (validation refuses it first)")
  void aCycleIsRefused() {
    List<TaskSpec> tasks = List.of(task("a", "x", "b"), task("b", "x", "a"));

    assertThatThrownBy(() -> SegmentPlanner.cut(tasks, 10, Integer.MAX_VALUE, t -> 1))
        .hasMessageContaining("cycle");
  }
}
