package io.capstan.definitions;

import static io.capstan.definitions.Rejections.messages;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The task graph of a pipeline is checked: names, dependencies, cycles, references")
class TaskGraphValidationTest {
  private static final String HEADER =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: p}
      spec:
      """;

  @Test
  void twoTasksWithTheSameNameAreRefused() {
    assertThat(
            Rejections.located(
                HEADER
                    + """
                      tasks:
                        - name: extract
                          simulate: {}
                        - name: extract
                          simulate: {}
                    """))
        .containsExactly(
            "8:13 spec.tasks[1].name: duplicate task name 'extract': task names must be unique"
                + " (first used at line 6)");
  }

  @Test
  void aDependencyOnAnUnknownTaskSuggestsTheNearestName() {
    assertThat(
            messages(
                HEADER
                    + """
                      tasks:
                        - {name: load, simulate: {}}
                        - {name: report, dependsOn: [lod], simulate: {}}
                    """))
        .containsExactly("spec.tasks[1].dependsOn[0]: unknown task 'lod' (did you mean 'load'?)");
  }

  @Test
  void aTaskCannotDependOnItself() {
    assertThat(messages(HEADER + "  tasks: [{name: a, dependsOn: [a], simulate: {}}]\n"))
        .containsExactly("spec.tasks[0].dependsOn[0]: a task cannot depend on itself");
  }

  @Test
  void aTwoTaskCycleIsPrintedFromTheFirstTask() {
    assertThat(
            messages(
                HEADER
                    + """
                      tasks:
                        - {name: a, dependsOn: [b], simulate: {}}
                        - {name: b, dependsOn: [a], simulate: {}}
                    """))
        .containsExactly("spec.tasks[0].dependsOn[0]: dependency cycle: a -> b -> a");
  }

  @Test
  void aLongerCycleIsPrintedInTheOrderTheTasksWouldRun() {
    assertThat(
            messages(
                HEADER
                    + """
                      tasks:
                        - {name: start, simulate: {}}
                        - {name: a, dependsOn: [start, c], simulate: {}}
                        - {name: b, dependsOn: [a], simulate: {}}
                        - {name: c, dependsOn: [b], simulate: {}}
                        - {name: after, dependsOn: [c], simulate: {}}
                    """))
        .containsExactly("spec.tasks[1].dependsOn[1]: dependency cycle: a -> b -> c -> a");
  }

  @Test
  void separateCyclesAreEachReported() {
    assertThat(
            messages(
                HEADER
                    + """
                      tasks:
                        - {name: a, dependsOn: [b], simulate: {}}
                        - {name: b, dependsOn: [a], simulate: {}}
                        - {name: x, dependsOn: [y], simulate: {}}
                        - {name: y, dependsOn: [x], simulate: {}}
                    """))
        .containsExactly(
            "spec.tasks[0].dependsOn[0]: dependency cycle: a -> b -> a",
            "spec.tasks[2].dependsOn[0]: dependency cycle: x -> y -> x");
  }

  @Test
  void anOutputReferenceToATaskThatIsNotAnAncestorAsksToAddIt() {
    assertThat(
            messages(
                HEADER
                    + """
                      tasks:
                        - {name: extract, simulate: {}}
                        - {name: transform, dependsOn: [extract], simulate: {}}
                        - {name: load, dependsOn: [transform], simulate: {output: done}}
                        - name: report
                          dependsOn: [transform]
                          shell: {command: [sh, -c, "#{load.output}", "#{extract.output}"]}
                    """))
        .containsExactly(
            "spec.tasks[3].shell.command[2]: '#{load.output}' refers to task 'load', which is not"
                + " an ancestor of 'report'; add it to dependsOn");
  }

  @Test
  void outputReferencesToUnknownTasksItselfOrOtherKeysAreRefused() {
    assertThat(
            messages(
                HEADER
                    + """
                      tasks:
                        - {name: load, simulate: {}}
                        - name: report
                          dependsOn: [load]
                          simulate: {output: "#{lod.output} #{report.output} #{load.result}"}
                    """))
        .containsExactly(
            "spec.tasks[1].simulate.output: '#{lod.output}' refers to unknown task 'lod' (did"
                + " you mean 'load'?)",
            "spec.tasks[1].simulate.output: '#{report.output}' refers to the task's own output,"
                + " which does not exist before it ends",
            "spec.tasks[1].simulate.output: '#{load.result}' is not a task output: write"
                + " #{load.output}");
  }

  @Test
  void referencesAreCheckedInEveryRenderedField() {
    assertThat(
            messages(
                HEADER
                    + """
                      tasks:
                        - name: a
                          shell:
                            command: [run]
                            env: {TARGET: "#{params.x1}"}
                            workingDir: "/tmp/#{params.x2}"
                        - name: b
                          container:
                            image: img
                            command: ["#{params.x3}"]
                            args: ["#{params.x4}"]
                            env: {MODE: "#{params.x5}"}
                    """))
        .extracting(m -> m.substring(0, m.indexOf(':')))
        .containsExactly(
            "spec.tasks[0].shell.env.TARGET",
            "spec.tasks[0].shell.workingDir",
            "spec.tasks[1].container.command[0]",
            "spec.tasks[1].container.args[0]",
            "spec.tasks[1].container.env.MODE");
  }

  @Test
  void anUnknownParamSuggestsADeclaredOne() {
    assertThat(
            messages(
                HEADER
                    + """
                      params: {source: db}
                      tasks: [{name: a, simulate: {output: "#{params.sourse}"}}]
                    """))
        .containsExactly(
            "spec.tasks[0].simulate.output: '#{params.sourse}' refers to unknown param 'sourse'"
                + " (did you mean 'source'?); declare it in spec.params");
  }

  @Test
  void paramsGivenAtSubmitCountAsDeclared() {
    String yaml = HEADER + "  tasks: [{name: a, simulate: {output: \"#{params.day}\"}}]\n";

    assertThat(DefinitionParser.parse(yaml, Set.of("day"))).hasSize(1);
  }

  @Test
  void aTaskCalledParamsIsRefusedBecauseReferencesCouldNotReachIt() {
    assertThat(messages(HEADER + "  tasks: [{name: params, simulate: {}}]\n"))
        .containsExactly(
            "spec.tasks[0].name: 'params' is reserved for #{params.NAME}: give the task another"
                + " name");
  }

  @Test
  void ancestorsMayBeIndirect() {
    String yaml =
        HEADER
            + """
              tasks:
                - {name: a, simulate: {output: one}}
                - {name: b, dependsOn: [a], simulate: {}}
                - {name: c, dependsOn: [b], simulate: {output: "#{a.output} #{ b.output }"}}
            """;

    assertThat(DefinitionParser.parse(yaml)).hasSize(1);
  }

  @Test
  @DisplayName("a gpu task's sameHostAs names an ancestor gpu task")
  void gpuAffinityNamesAnAncestorGpuTask() {
    assertThat(
            messages(
                HEADER
                    + """
                      tasks:
                        - {name: burn, gpu: {op: burn-in}}
                        - {name: prep, simulate: {}}
                        - {name: train, dependsOn: [burn], gpu: {op: gemm, affinity: {sameHostAs: burn}}}
                        - {name: a, gpu: {op: gemm, affinity: {sameHostAs: burn}}}
                        - {name: b, dependsOn: [prep], gpu: {op: gemm, affinity: {sameHostAs: prep}}}
                        - {name: c, gpu: {op: gemm, affinity: {sameHostAs: bur}}}
                        - {name: d, gpu: {op: gemm, affinity: {sameHostAs: d}}}
                    """))
        .containsExactlyInAnyOrder(
            "spec.tasks[3].gpu.affinity.sameHostAs: sameHostAs names 'burn', which is not an"
                + " ancestor of 'a': add it to dependsOn, so its host is known when this task"
                + " starts",
            "spec.tasks[4].gpu.affinity.sameHostAs: sameHostAs names 'prep', which is not a gpu"
                + " task and has no GPU host",
            "spec.tasks[5].gpu.affinity.sameHostAs: sameHostAs names unknown task 'bur' (did you"
                + " mean 'burn'?)",
            "spec.tasks[6].gpu.affinity.sameHostAs: sameHostAs names the task itself: name an"
                + " earlier gpu task");
  }

  @Test
  @DisplayName("a job's gpu block takes no affinity: there is no other task")
  void jobGpuAffinityIsRefused() {
    assertThat(
            messages(
                """
                apiVersion: capstan.io/v1
                kind: Job
                metadata: {name: j}
                spec:
                  gpu: {op: burn-in, devices: 2, affinity: {sameHostAs: other}}
                """))
        .containsExactly(
            "spec.gpu.affinity: a job has no other task to share a host with: affinity is for"
                + " pipeline tasks");
  }
}
