package io.capstan.workflows.pipeline;

import static io.capstan.workflows.fake.TestDefinitions.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The DAG bookkeeping of a pipeline, without Temporal: plain calls, plain assertions. */
@DisplayName("A pipeline's DAG state")
class DagStateTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final Instant T1 = T0.plusSeconds(60);

  /** a → b, a → c, b and c → d. */
  static List<TaskSpec> diamond() {
    return List.of(
        task("a", "oa"), task("b", "ob", "a"), task("c", "oc", "a"), task("d", "od", "b", "c"));
  }

  @Nested
  @DisplayName("ready set")
  class Ready {
    @Test
    @DisplayName("starts with every task without dependencies, in definition order")
    void rootsInDefinitionOrder() {
      DagState dag =
          new DagState(
              List.of(task("z", "o"), task("y", "o", "z"), task("x", "o"), task("w", "o")),
              OnFailure.STOP,
              null);

      assertThat(startAll(dag)).containsExactly("z", "x", "w");
      assertThat(dag.hasReady()).isFalse();
    }

    @Test
    @DisplayName("a started task is RUNNING, its first attempt, since the moment given")
    void startMarksRunning() {
      DagState dag = new DagState(diamond(), OnFailure.STOP, null);

      TaskSpec started = dag.startNext(T0);

      assertThat(started.name()).isEqualTo("a");
      assertThat(dag.state("a"))
          .isEqualTo(new TaskState(TaskPhase.RUNNING, 1, null, null, T0, null, null));
      assertThat(dag.state("b")).isEqualTo(TaskState.pending());
    }

    @Test
    @DisplayName("a success readies its dependents in definition order and keeps its output")
    void successReadiesDependents() {
      DagState dag = new DagState(diamond(), OnFailure.STOP, null);
      dag.startNext(T0);

      dag.ended("a", succeeded("rows"));

      assertThat(dag.outputs()).containsExactly(entry("a", "rows"));
      assertThat(startAll(dag)).containsExactly("b", "c");
    }

    @Test
    @DisplayName("a join is ready only once every dependency succeeded")
    void joinWaitsForAllDependencies() {
      DagState dag = new DagState(diamond(), OnFailure.STOP, null);
      run(dag, "a");
      startAll(dag);

      dag.ended("c", succeeded("oc"));
      assertThat(dag.hasReady()).isFalse();

      dag.ended("b", succeeded("ob"));
      assertThat(startAll(dag)).containsExactly("d");
    }

    @Test
    @DisplayName("a success without output renders as the empty string")
    void missingOutputIsEmpty() {
      DagState dag = new DagState(List.of(task("a", "o")), OnFailure.STOP, null);
      dag.startNext(T0);

      dag.ended("a", succeeded(null));

      assertThat(dag.outputs()).containsExactly(entry("a", ""));
    }

    @Test
    @DisplayName("is done when every task is final")
    void allFinal() {
      DagState dag = new DagState(diamond(), OnFailure.STOP, null);
      for (String name : List.of("a", "b", "c", "d")) {
        assertThat(dag.allFinal()).isFalse();
        assertThat(dag.finalCount()).isEqualTo(List.of("a", "b", "c", "d").indexOf(name));
        run(dag, name);
      }
      assertThat(dag.allFinal()).isTrue();
      assertThat(dag.finalCount()).isEqualTo(4);
    }

    @Test
    @DisplayName("refuses a dependency on a task the pipeline does not have")
    void unknownDependency() {
      assertThatThrownBy(
              () ->
                  new DagState(List.of(task("load", "o", "extract")), OnFailure.CONTINUE, Map.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("task 'load' depends on unknown task 'extract'");
    }
  }

  @Nested
  @DisplayName("failure under onFailure: continue")
  class Continue {
    @Test
    @DisplayName("skips every PENDING descendant and lets other branches go on")
    void skipsDescendantsOnly() {
      DagState dag =
          new DagState(
              List.of(
                  task("bad", "o"),
                  task("child", "o", "bad"),
                  task("grandchild", "o", "child"),
                  task("good", "o"),
                  task("after-good", "o", "good")),
              OnFailure.CONTINUE,
              null);
      assertThat(startAll(dag)).containsExactly("bad", "good");

      fail(dag, "bad");

      assertThat(dag.state("child")).isEqualTo(skipped("skipped: ancestor 'bad' failed"));
      assertThat(dag.state("grandchild")).isEqualTo(skipped("skipped: ancestor 'bad' failed"));
      assertThat(dag.state("good").state()).isEqualTo(TaskPhase.RUNNING);
      assertThat(dag.stopping()).isFalse();
      assertThat(dag.hasFailed()).isTrue();
      assertThat(dag.firstFailed()).isEqualTo("bad");

      dag.ended("good", succeeded("g"));
      assertThat(startAll(dag)).containsExactly("after-good");
    }

    @Test
    @DisplayName("in a diamond, the join stays SKIPPED when its other branch succeeds later")
    void diamondJoinStaysSkipped() {
      DagState dag = new DagState(diamond(), OnFailure.CONTINUE, null);
      run(dag, "a");
      startAll(dag);

      fail(dag, "b");
      dag.ended("c", succeeded("oc"));

      assertThat(dag.state("d").state()).isEqualTo(TaskPhase.SKIPPED);
      assertThat(dag.hasReady()).isFalse();
      assertThat(dag.allFinal()).isTrue();
    }

    @Test
    @DisplayName("a task canceled while the run goes on skips its descendants but is not FAILED")
    void canceledSkipsDescendants() {
      DagState dag = new DagState(diamond(), OnFailure.CONTINUE, null);
      dag.startNext(T0);

      dag.ended("a", new TaskState(TaskPhase.CANCELED, 1, null, "canceled", T0, T1, null));
      dag.skipAfter("a", T1);

      assertThat(dag.hasFailed()).isFalse();
      assertThat(dag.tasks().values())
          .extracting(TaskState::state)
          .containsExactly(
              TaskPhase.CANCELED, TaskPhase.SKIPPED, TaskPhase.SKIPPED, TaskPhase.SKIPPED);
    }
  }

  @Nested
  @DisplayName("failure under onFailure: stop")
  class Stop {
    @Test
    @DisplayName("skips every PENDING task and leaves the running ones be")
    void skipsEveryPendingTask() {
      DagState dag =
          new DagState(
              List.of(
                  task("bad", "o"),
                  task("running", "o"),
                  task("child", "o", "bad"),
                  task("waiting", "o", "running"),
                  task("ready-but-not-started", "o")),
              OnFailure.STOP,
              null);
      dag.startNext(T0);
      dag.startNext(T0);

      fail(dag, "bad");

      assertThat(dag.stopping()).isTrue();
      assertThat(dag.state("running").state()).isEqualTo(TaskPhase.RUNNING);
      assertThat(dag.state("child")).isEqualTo(skipped("skipped: ancestor 'bad' failed"));
      String stopped = "skipped: the pipeline stopped after 'bad' failed (onFailure: stop)";
      assertThat(dag.state("waiting")).isEqualTo(skipped(stopped));
      assertThat(dag.state("ready-but-not-started")).isEqualTo(skipped(stopped));
      assertThat(dag.hasReady()).isFalse();

      dag.ended("running", succeeded("r"));
      assertThat(dag.state("waiting")).isEqualTo(skipped(stopped));
      assertThat(dag.hasReady()).isFalse();
    }

    @Test
    @DisplayName("names the first failure only; a later one skips just its own descendants")
    void stopsOnce() {
      DagState dag =
          new DagState(
              List.of(task("first", "o"), task("second", "o"), task("late", "o")),
              OnFailure.STOP,
              null);
      dag.startNext(T0);
      dag.startNext(T0);
      fail(dag, "first");

      fail(dag, "second");

      assertThat(dag.state("late").error())
          .isEqualTo("skipped: the pipeline stopped after 'first' failed (onFailure: stop)");
      assertThat(dag.firstFailed()).isEqualTo("first");
    }
  }

  @Nested
  @DisplayName("retry in place")
  class Retry {
    @Test
    @DisplayName("puts a failed task and its skipped descendants back to PENDING")
    void resetsFailedAndSkippedDescendants() {
      DagState dag =
          new DagState(
              List.of(
                  task("extract", "o"),
                  task("deploy", "o", "extract"),
                  task("report", "o", "deploy"),
                  task("notify", "o", "report")),
              OnFailure.CONTINUE,
              null);
      run(dag, "extract");
      dag.startNext(T0);
      fail(dag, "deploy");

      List<String> reset = dag.retry("deploy");

      assertThat(reset).containsExactly("deploy", "report", "notify");
      assertThat(dag.hasFailed()).isFalse();
      assertThat(dag.state("deploy")).isEqualTo(TaskState.pending());
      assertThat(dag.state("notify")).isEqualTo(TaskState.pending());
      assertThat(startAll(dag)).containsExactly("deploy");
      assertThat(dag.state("extract").state()).isEqualTo(TaskPhase.SUCCEEDED);
      assertThat(dag.outputs()).containsKey("extract");

      dag.ended("deploy", succeeded("deployed"));
      assertThat(startAll(dag)).containsExactly("report");
    }

    @Test
    @DisplayName("in a diamond, resets the join only once no branch holds it back")
    void diamondWithTwoFailures() {
      DagState dag = new DagState(diamond(), OnFailure.CONTINUE, null);
      run(dag, "a");
      startAll(dag);
      fail(dag, "b");
      fail(dag, "c");
      assertThat(dag.failedAncestors("d")).containsExactly("b", "c");

      assertThat(dag.retry("b")).containsExactly("b");
      assertThat(dag.state("d").state()).isEqualTo(TaskPhase.SKIPPED);
      assertThat(dag.failedAncestors("d")).containsExactly("c");

      assertThat(dag.retry("c")).containsExactly("c", "d");
      assertThat(startAll(dag)).containsExactly("b", "c");
      dag.ended("b", succeeded("ob"));
      assertThat(dag.hasReady()).isFalse();
      dag.ended("c", succeeded("oc"));
      assertThat(startAll(dag)).containsExactly("d");
    }

    @Test
    @DisplayName("in a diamond, resets the join with the one failed branch it waits on")
    void diamondWithOneFailure() {
      DagState dag = new DagState(diamond(), OnFailure.CONTINUE, null);
      run(dag, "a");
      startAll(dag);
      fail(dag, "b");
      dag.ended("c", succeeded("oc"));

      assertThat(dag.retry("b")).containsExactly("b", "d");
      assertThat(startAll(dag)).containsExactly("b");
      dag.ended("b", succeeded("ob"));
      assertThat(startAll(dag)).containsExactly("d");
    }

    @Test
    @DisplayName("does not reset a descendant whose other dependency was canceled")
    void canceledDependencyKeepsSkipped() {
      DagState dag = new DagState(diamond(), OnFailure.CONTINUE, null);
      run(dag, "a");
      startAll(dag);
      fail(dag, "b");
      dag.ended("c", new TaskState(TaskPhase.CANCELED, 1, null, "canceled", T0, T1, null));
      dag.skipAfter("c", T1);

      assertThat(dag.retry("b")).containsExactly("b");
      assertThat(dag.state("d").state()).isEqualTo(TaskPhase.SKIPPED);
    }

    @Test
    @DisplayName("after a stop, lifts it once no task is FAILED and resets what it skipped")
    void liftsTheStop() {
      DagState dag =
          new DagState(
              List.of(
                  task("first", "o"),
                  task("second", "o"),
                  task("after-first", "o", "first"),
                  task("unrelated", "o"),
                  task("after-unrelated", "o", "unrelated")),
              OnFailure.STOP,
              null);
      dag.startNext(T0);
      dag.startNext(T0);
      fail(dag, "first");
      fail(dag, "second");

      // While another task is still FAILED the stop holds: only the retried branch goes back.
      assertThat(dag.retry("first")).containsExactly("first", "after-first");
      assertThat(dag.stopping()).isTrue();
      assertThat(dag.state("unrelated").state()).isEqualTo(TaskPhase.SKIPPED);

      assertThat(dag.retry("second")).containsExactly("second", "unrelated", "after-unrelated");
      assertThat(dag.stopping()).isFalse();
      assertThat(startAll(dag)).containsExactly("first", "second", "unrelated");
    }

    @Test
    @DisplayName(
        "names the FAILED ancestors of a skipped task, nearest or not, in definition order")
    void failedAncestors() {
      DagState dag =
          new DagState(
              List.of(
                  task("root", "o"),
                  task("left", "o", "root"),
                  task("right", "o"),
                  task("join", "o", "left", "right"),
                  task("leaf", "o", "join")),
              OnFailure.CONTINUE,
              null);
      dag.startNext(T0);
      dag.startNext(T0);
      fail(dag, "right");
      fail(dag, "root");

      assertThat(dag.failedAncestors("leaf")).containsExactly("root", "right");
      assertThat(dag.failedAncestors("left")).containsExactly("root");
      assertThat(dag.failedAncestors("root")).isEmpty();
    }
  }

  @Nested
  @DisplayName("continue-as-new")
  class Carry {
    @Test
    @DisplayName("starts from the carried states and outputs and runs only the rest")
    void resumesFromCarry() {
      TaskState extracted =
          new TaskState(TaskPhase.SUCCEEDED, 2, "rows-42", null, T0, T1, "host-a");
      DagState dag =
          new DagState(
              List.of(task("extract", "o"), task("load", "o", "extract"), task("other", "o")),
              OnFailure.STOP,
              Map.of("extract", extracted));

      assertThat(dag.state("extract")).isEqualTo(extracted);
      assertThat(dag.outputs()).containsExactly(entry("extract", "rows-42"));
      assertThat(startAll(dag)).containsExactly("load", "other");
    }

    @Test
    @DisplayName("runs a carried task that had not ended again")
    void unfinishedCarriedTaskIsPending() {
      DagState dag =
          new DagState(
              List.of(task("a", "o")),
              OnFailure.STOP,
              Map.of("a", new TaskState(TaskPhase.RUNNING, 1, null, null, T0, null, null)));

      assertThat(dag.state("a")).isEqualTo(TaskState.pending());
      assertThat(startAll(dag)).containsExactly("a");
    }

    @Test
    @DisplayName("keeps an inherited failure: stopped under stop, retryable either way")
    void inheritedFailure() {
      TaskState failed = new TaskState(TaskPhase.FAILED, 3, null, "boom", T0, T1, "h");
      TaskState skipped = skipped("skipped: ancestor 'a' failed");
      Map<String, TaskState> carried = Map.of("a", failed, "b", skipped);
      List<TaskSpec> specs = List.of(task("a", "o"), task("b", "o", "a"));

      DagState stop = new DagState(specs, OnFailure.STOP, carried);
      DagState pause = new DagState(specs, OnFailure.PAUSE, carried);

      assertThat(stop.stopping()).isTrue();
      assertThat(pause.stopping()).isFalse();
      assertThat(stop.hasFailed()).isTrue();
      assertThat(stop.hasReady()).isFalse();
      assertThat(stop.retry("a")).containsExactly("a", "b");
      assertThat(stop.stopping()).isFalse();
      assertThat(startAll(stop)).containsExactly("a");
    }

    @Test
    @DisplayName("carries over the tasks that left PENDING, in definition order")
    void leftPending() {
      DagState dag = new DagState(diamond(), OnFailure.CONTINUE, null);
      run(dag, "a");
      dag.startNext(T0);

      assertThat(dag.leftPending().keySet()).containsExactly("a", "b");
    }
  }

  @Test
  @DisplayName("drops every PENDING task, ready or not, in the phase given")
  void dropPending() {
    DagState dag = new DagState(diamond(), OnFailure.STOP, null);
    dag.startNext(T0);

    dag.dropPending(TaskPhase.CANCELED, "not started: run canceled", T1);

    assertThat(dag.state("a").state()).isEqualTo(TaskPhase.RUNNING);
    assertThat(dag.state("d"))
        .isEqualTo(
            new TaskState(
                TaskPhase.CANCELED, 0, null, "not started: run canceled", null, T1, null));
    assertThat(dag.hasReady()).isFalse();
  }

  /** Starts every ready task and returns their names in the order they started. */
  static List<String> startAll(DagState dag) {
    List<String> started = new ArrayList<>();
    while (dag.hasReady()) {
      started.add(dag.startNext(T0).name());
    }
    return started;
  }

  /** Starts the only ready task, {@code name}, and lets it succeed with output {@code o<name>}. */
  static void run(DagState dag, String name) {
    assertThat(dag.startNext(T0).name()).isEqualTo(name);
    dag.ended(name, succeeded("o" + name));
  }

  /** Ends a running task FAILED and lets the failure propagate, as the workflow does. */
  static void fail(DagState dag, String name) {
    dag.ended(name, new TaskState(TaskPhase.FAILED, 1, null, "boom", T0, T1, "h"));
    dag.skipAfter(name, T1);
  }

  static TaskState succeeded(String output) {
    return new TaskState(TaskPhase.SUCCEEDED, 1, output, null, T0, T1, "h");
  }

  static TaskState skipped(String why) {
    return new TaskState(TaskPhase.SKIPPED, 0, null, why, null, T1, null);
  }
}
