package io.capstan.definitions;

import static io.capstan.definitions.Rejections.located;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Every problem is reported in one pass, with its path, line and column")
class ProblemCollectionTest {
  @Test
  void problemsOfEveryKindComeTogetherInTheOrderTheyAreWritten() {
    DefinitionException refused =
        Rejections.of(
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: Nightly}
            spec:
              parallelism: 0
              timeout: 5 minutes
              tasks:
                - name: extract
                  simulate: {duration: 2s}
                - name: transform
                  dependson: [extract]
                  simulate: {}
                - name: load
                  dependsOn: [transfrom]
                  shell: {command: [sh, -c, "echo #{params.target}"]}
                - name: report
                  dependsOn: [extract]
                  shell: {command: [sh, -c, "#{load.output}"]}
            """);

    assertThat(refused.error()).isEqualTo("the definition has 7 problems");
    assertThat(refused.problems())
        .extracting(p -> p.line() + ":" + p.column() + " " + p.path() + ": " + p.message())
        .containsExactly(
            "3:18 metadata.name: 'Nightly' is not a DNS label: use lowercase letters, digits and"
                + " '-', starting and ending with a letter or digit, at most 63 characters",
            "5:16 spec.parallelism: 0 is out of range: must be between 1 and 1000",
            "6:12 spec.timeout: '5 minutes' is not a duration: use 500ms, 10s, 5m, 2h, 1d or"
                + " ISO-8601 like PT5M",
            "11:7 spec.tasks[1].dependson: unknown field (did you mean 'dependsOn'?)",
            "14:19 spec.tasks[2].dependsOn[0]: unknown task 'transfrom' (did you mean"
                + " 'transform'?)",
            "15:33 spec.tasks[2].shell.command[2]: '#{params.target}' refers to unknown param"
                + " 'target'; declare it in spec.params",
            "18:33 spec.tasks[3].shell.command[2]: '#{load.output}' refers to task 'load', which"
                + " is not an ancestor of 'report'; add it to dependsOn");
  }

  @Test
  void theExceptionMessageListsEveryProblemForLogs() {
    DefinitionException refused =
        Rejections.of("apiVersion: capstan.io/v1\nkind: Job\nmetadata: {name: j}\nspec: {}\n");

    assertThat(refused.getMessage())
        .isEqualTo(
            "the definition has 1 problem:\n"
                + "  spec: a job needs an executor: add one of simulate, shell, container or gpu"
                + " (line 4, column 7)");
  }

  @Test
  void aMissingFieldPointsAtTheMapThatShouldHoldIt() {
    assertThat(
            located(
                """
                apiVersion: capstan.io/v1
                kind: Pipeline
                metadata:
                  namespace: team-a
                spec:
                  tasks:
                    - simulate: {duration: 1s}
                """))
        .containsExactly(
            "4:3 metadata.name: required field is missing",
            "7:7 spec.tasks[0].name: required field is missing");
  }

  @Test
  void aYamlSyntaxErrorCarriesItsLineAndColumn() {
    DefinitionException refused =
        Rejections.of(
            """
            apiVersion: capstan.io/v1
            kind: Job
            metadata:
              name: j
                bad: indent
            """);

    assertThat(refused.error()).isEqualTo("the definition is not valid YAML");
    assertThat(refused.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEmpty();
              assertThat(p.line()).isEqualTo(5);
              assertThat(p.column()).isEqualTo(8);
              assertThat(p.message())
                  .isEqualTo("not valid YAML: mapping values are not allowed here");
            });
  }

  @Test
  void anUndefinedAliasIsASyntaxErrorAtTheAlias() {
    assertThat(located("apiVersion: capstan.io/v1\nkind: *missing\n"))
        .singleElement()
        .asString()
        .startsWith("2:7 : not valid YAML: found undefined alias missing");
  }

  @Test
  void anEmptyBodyAsksForADocument() {
    DefinitionException refused = Rejections.of("# nothing but a comment\n");

    assertThat(refused.error()).isEqualTo("the definition is empty");
    assertThat(refused.problems())
        .extracting(Problem::message)
        .containsExactly("expected a document with apiVersion, kind, metadata and spec");
  }

  @Test
  void inAMultiDocumentStreamPathsNameTheDocument() {
    assertThat(
            located(
                """
                apiVersion: capstan.io/v1
                kind: Job
                metadata: {name: fine}
                spec: {simulate: {}}
                ---
                apiVersion: capstan.io/v1
                kind: Pipeline
                metadata: {name: broken}
                spec:
                  tasks:
                    - {nme: a, simulate: {}}
                """))
        .containsExactly(
            "11:7 documents[1].spec.tasks[0].name: required field is missing",
            "11:8 documents[1].spec.tasks[0].nme: unknown field (did you mean 'name'?)");
  }

  @Test
  void aSingleDocumentHasNoDocumentPrefixEvenAfterASeparator() {
    assertThat(
            located(
                """
                ---
                apiVersion: capstan.io/v1
                kind: Job
                metadata: {name: j}
                spec: {simulate: {}, timeout: soon}
                """))
        .containsExactly(
            "5:31 spec.timeout: 'soon' is not a duration: use 500ms, 10s, 5m, 2h, 1d or ISO-8601"
                + " like PT5M");
  }

  @Test
  void keysThatAreNotWordsAreQuotedInPaths() {
    assertThat(
            Rejections.messages(
                """
                apiVersion: capstan.io/v1
                kind: Job
                metadata: {name: j, labels: {app.kubernetes.io/name: [x]}}
                spec: {simulate: {}}
                """))
        .containsExactly(
            "metadata.labels[\"app.kubernetes.io/name\"]: expected a string, got a list");
  }
}
