package io.capstan.workflows.pipeline;

import static io.capstan.workflows.fake.TestDefinitions.pipeline;
import static io.capstan.workflows.fake.TestDefinitions.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.capstan.workflows.task.OutputRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SegmentInputs gives a segment what it needs of earlier segments")
class SegmentInputsTest {
  private final List<String> asked = new ArrayList<>();

  @Test
  @DisplayName("outputs its templates name come along, inline or by reference; others do not")
  void namedOutputsComeAlong() {
    OutputRef ref = new OutputRef("runs/r/big/" + "0".repeat(64), 9000, "0".repeat(64), "xx");
    Map<String, TaskState> earlier =
        Map.of(
            "small", succeeded("s", null),
            "big", succeeded(null, ref),
            "quiet", succeeded("q", null));
    SegmentFile file =
        new SegmentFile(
            pipeline(task("use", "#{small.output} #{big.output}", "quiet")),
            Map.of("small", 0, "big", 0, "quiet", 1));

    SegmentWork work = SegmentInputs.resolve(file, lookup(earlier));

    assertThat(work.blocked()).isEmpty();
    assertThat(work.externals()).containsOnlyKeys("small", "big", "quiet");
    assertThat(work.externals().get("small").output()).isEqualTo("s");
    assertThat(work.externals().get("big").outputRef()).isEqualTo(ref);
    assertThat(asked).containsExactlyInAnyOrder("0:small", "0:big", "1:quiet");
  }

  @Test
  @DisplayName("a failed dependency skips its dependents and everything below them in the segment")
  void aFailureBlocksDescendants() {
    Map<String, TaskState> earlier =
        Map.of(
            "bad", new TaskState(TaskPhase.FAILED, 1, null, "boom", null, null, null),
            "skipped",
                new TaskState(
                    TaskPhase.SKIPPED,
                    0,
                    null,
                    "skipped: ancestor 'root' failed",
                    null,
                    null,
                    null),
            "good", succeeded("g", null));
    SegmentFile file =
        new SegmentFile(
            pipeline(
                task("a", "x", "bad"),
                task("b", "x", "skipped"),
                task("c", "x", "good"),
                task("d", "x", "a", "c")),
            Map.of("bad", 0, "skipped", 0, "good", 0));

    SegmentWork work = SegmentInputs.resolve(file, lookup(earlier));

    assertThat(work.blocked())
        .containsOnly(
            Map.entry("a", "skipped: ancestor 'bad' failed"),
            Map.entry("b", "skipped: ancestor 'root' failed"),
            Map.entry("d", "skipped: ancestor 'bad' failed"));
  }

  private Lookup lookup(Map<String, TaskState> states) {
    return new Lookup(states);
  }

  private final class Lookup implements SegmentInputs.Lookup {
    private final Map<String, TaskState> states;

    Lookup(Map<String, TaskState> states) {
      this.states = states;
    }

    @Override
    public Map<String, TaskState> states(int segment, List<String> names) {
      Map<String, TaskState> found = new HashMap<>();
      for (String name : names) {
        asked.add(segment + ":" + name);
        found.put(name, states.get(name));
      }
      return found;
    }
  }

  private static TaskState succeeded(String output, OutputRef ref) {
    return new TaskState(TaskPhase.SUCCEEDED, 1, output, null, null, null, null, ref);
  }
}
