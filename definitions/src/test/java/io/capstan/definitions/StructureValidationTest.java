package io.capstan.definitions;

import static io.capstan.definitions.Rejections.messages;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Structural problems are reported in words a person can act on")
class StructureValidationTest {
  private static final String HEADER =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: p}
      """;

  @Nested
  @DisplayName("unknown fields")
  class UnknownFields {
    @Test
    void aQuotedKeyStartingWithAHashIsUnknownToo() {
      // The schema validator lets such keys through additionalProperties: false.
      assertThat(
              messages(
                  HEADER
                      + """
                      spec:
                        "#note": x
                        params: {"#p": x}
                        tasks:
                          - {name: a, simulate: {}, "#why": y}
                      """))
          .contains(
              "spec[\"#note\"]: unknown field: no field of a definition starts with '#'",
              "spec.tasks[0][\"#why\"]: unknown field: no field of a definition starts with '#'")
          .anySatisfy(message -> assertThat(message).startsWith("spec.params[\"#p\"]: "))
          .filteredOn(message -> message.startsWith("spec.params"))
          .hasSize(1);
    }

    @Test
    void aMisspeltFieldSuggestsTheNearestKnownOne() {
      assertThat(
              messages(
                  HEADER
                      + """
                      spec:
                        tasks:
                          - name: a
                            simulate: {}
                          - name: b
                            dependson: [a]
                            simulate: {}
                      """))
          .containsExactly("spec.tasks[1].dependson: unknown field (did you mean 'dependsOn'?)");
    }

    @Test
    void aFieldWithNoNearNameListsTheFieldsAllowedThere() {
      assertThat(
              messages(
                  """
                  apiVersion: capstan.io/v1
                  kind: Pipeline
                  metadata: {name: p, owner: me}
                  spec: {tasks: [{name: a, simulate: {}}]}
                  """))
          .containsExactly(
              "metadata.owner: unknown field; the fields here are name, namespace, labels");
    }

    @Test
    void aMisspeltExecutorIsReportedOnceAsAnUnknownField() {
      assertThat(messages(HEADER + "spec: {tasks: [{name: a, simulat: {duration: 1s}}]}"))
          .containsExactly("spec.tasks[0].simulat: unknown field (did you mean 'simulate'?)");
    }

    @Test
    void pipelineFieldsInAJobAreUnknown() {
      assertThat(
              messages(
                  """
                  apiVersion: capstan.io/v1
                  kind: Job
                  metadata: {name: j}
                  spec: {simulate: {}, paralellism: 2}
                  """))
          .containsExactly("spec.paralellism: unknown field (did you mean 'parallelism'?)");
    }
  }

  @Nested
  @DisplayName("required fields and types")
  class RequiredAndTypes {
    @Test
    void everyMissingRequiredFieldIsNamed() {
      assertThat(messages("kind: Pipeline\nspec: {tasks: [{simulate: {}}]}\n"))
          .containsExactly(
              "apiVersion: required field is missing",
              "metadata: required field is missing",
              "spec.tasks[0].name: required field is missing");
    }

    @Test
    void aWrongTypeSaysWhatWasExpectedAndWhatWasWritten() {
      assertThat(
              messages(
                  HEADER
                      + """
                      spec:
                        parallelism: "4"
                        params: [a, b]
                        tasks:
                          - name: a
                            dependsOn: extract
                            simulate: {failureRate: high}
                      """))
          .containsExactly(
              "spec.parallelism: expected an integer, got the string '4'",
              "spec.params: expected a map of fields, got a list",
              "spec.tasks[0].dependsOn: expected a list, got the string 'extract'; write"
                  + " [extract]",
              "spec.tasks[0].simulate.failureRate: expected a number, got the string 'high'");
    }

    @Test
    void aDocumentThatIsNotAMapIsRefused() {
      assertThat(messages("- just\n- a list\n"))
          .containsExactly(": expected a map of fields, got a list");
    }

    @Test
    void anEmptyValueIsReportedAsNothing() {
      assertThat(messages(HEADER + "spec:\n  timeout:\n  tasks: [{name: a, simulate: {}}]\n"))
          .containsExactly(
              "spec.timeout: expected a duration, got nothing: use 500ms, 10s, 5m, 2h, 1d or"
                  + " ISO-8601 like PT5M");
    }
  }

  @Nested
  @DisplayName("apiVersion, kind and names")
  class Identity {
    @Test
    void anotherApiVersionIsNotSupported() {
      assertThat(
              messages(
                  "apiVersion: capstan.io/v2\nkind: Job\nmetadata: {name: j}\n"
                      + "spec: {simulate: {}}\n"))
          .containsExactly("apiVersion: 'capstan.io/v2' is not supported: use capstan.io/v1");
    }

    @Test
    void aMisspeltKindSuggestsTheRightOne() {
      assertThat(
              messages("apiVersion: capstan.io/v1\nkind: Pipline\nmetadata: {name: p}\nspec: {}\n"))
          .containsExactly(
              "kind: 'Pipline' is not a supported kind: use Pipeline, Job, Cluster or"
                  + " RollingUpdate (did you mean 'Pipeline'?)");
    }

    @Test
    void kindsOfTheProductThatAreNotBuiltYetSaySo() {
      assertThat(
              messages(
                  "apiVersion: capstan.io/v1\nkind: ResourceQuota\nmetadata: {name: q}\n"
                      + "spec: {limits: {cpu: 32}}\n"))
          .containsExactly(
              "kind: kind 'ResourceQuota' is not supported yet: this server runs Pipeline, Job,"
                  + " Cluster and RollingUpdate documents");
    }

    @Test
    void namesAndNamespacesMustBeDnsLabels() {
      assertThat(
              messages(
                  """
                  apiVersion: capstan.io/v1
                  kind: Job
                  metadata: {name: Nightly_ETL, namespace: -team}
                  spec: {simulate: {}}
                  """))
          .containsExactly(
              "metadata.name: 'Nightly_ETL' is not a DNS label: use lowercase letters, digits"
                  + " and '-', starting and ending with a letter or digit, at most 63 characters",
              "metadata.namespace: '-team' is not a DNS label: use lowercase letters, digits and"
                  + " '-', starting and ending with a letter or digit, at most 63 characters");
    }

    @Test
    void aNameLongerThanADnsLabelIsRefused() {
      String name = "a".repeat(64);
      assertThat(
              messages(
                  "apiVersion: capstan.io/v1\nkind: Job\nmetadata: {name: "
                      + name
                      + "}\nspec: {simulate: {}}\n"))
          .singleElement()
          .asString()
          .startsWith("metadata.name: '" + name + "' is not a DNS label");
    }

    @Test
    void taskNamesAndParamNamesMustBeUsableInReferences() {
      assertThat(
              messages(
                  HEADER
                      + """
                      spec:
                        params: {"my param": x}
                        tasks: [{name: "load data", simulate: {}}]
                      """))
          .containsExactly(
              "spec.params[\"my param\"]: 'my param' cannot be used as #{params.NAME}: use"
                  + " letters, digits, '-' and '_', at most 63 characters",
              "spec.tasks[0].name: 'load data' is not a valid task name: use letters, digits,"
                  + " '-' and '_', at most 63 characters");
    }
  }

  @Nested
  @DisplayName("executors")
  class Executors {
    @Test
    void aTaskWithoutAnExecutorIsToldToAddOne() {
      assertThat(messages(HEADER + "spec: {tasks: [{name: a, timeout: 1m}]}"))
          .containsExactly(
              "spec.tasks[0]: a task needs an executor: add one of simulate, shell, container or"
                  + " gpu");
    }

    @Test
    void aTaskWithTwoExecutorsIsToldToKeepOne() {
      assertThat(
              messages(
                  HEADER + "spec: {tasks: [{name: a, simulate: {}, shell: {command: [true]}}]}"))
          .containsExactly(
              "spec.tasks[0]: a task has 2 executors (simulate, shell); keep exactly one");
    }

    @Test
    void aJobNeedsExactlyOneExecutorToo() {
      String job = "apiVersion: capstan.io/v1\nkind: Job\nmetadata: {name: j}\n";
      assertThat(messages(job + "spec: {timeout: 1m}"))
          .containsExactly(
              "spec: a job needs an executor: add one of simulate, shell, container or gpu");
      assertThat(messages(job + "spec: {gpu: {op: inventory}, container: {image: x}}"))
          .containsExactly("spec: a job has 2 executors (container, gpu); keep exactly one");
    }

    @Test
    void executorBlocksHaveTheirOwnRequiredFieldsAndEnums() {
      assertThat(
              messages(
                  HEADER
                      + """
                      spec:
                        tasks:
                          - {name: a, shell: {command: []}}
                          - {name: b, container: {args: [x]}}
                          - {name: c, gpu: {op: burnin}}
                      """))
          .containsExactly(
              "spec.tasks[0].shell.command: must not be empty",
              "spec.tasks[1].container.image: required field is missing",
              "spec.tasks[2].gpu.op: 'burnin' is not allowed: use inventory, burn-in, bandwidth or"
                  + " gemm (did you mean 'burn-in'?)");
    }
  }

  @Nested
  @DisplayName("numbers out of range")
  class Ranges {
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            spec.parallelism                  | 0    | 0 is out of range: must be between 1 and 1000
            spec.parallelism                  | 1001 | 1001 is out of range: must be between 1 and 1000
            spec.tasks[0].retry.maxAttempts   | 0    | 0 is out of range: must be between 1 and 100
            spec.tasks[0].retry.maxAttempts   | 101  | 101 is out of range: must be between 1 and 100
            spec.tasks[0].retry.multiplier    | 0.5  | 0.5 is out of range: must be between 1 and 100
            spec.tasks[0].simulate.failureRate| 1.5  | 1.5 is out of range: must be between 0 and 1
            spec.tasks[0].simulate.failureRate| -0.1 | -0.1 is out of range: must be between 0 and 1
            spec.tasks[0].simulate.failAttempts| -1  | -1 is out of range: must be between 0 and 1000
            spec.tasks[1].gpu.devices         | 0    | 0 is out of range: must be between 1 and 16
            spec.tasks[1].gpu.devices         | 17   | 17 is out of range: must be between 1 and 16
            """)
    void pipelineNumbersOutsideTheirRangeAreRefused(String path, String value, String message) {
      String parallelism = path.equals("spec.parallelism") ? value : "1";
      String maxAttempts = path.endsWith("maxAttempts") ? value : "1";
      String multiplier = path.endsWith("multiplier") ? value : "1";
      String failureRate = path.endsWith("failureRate") ? value : "0";
      String failAttempts = path.endsWith("failAttempts") ? value : "0";
      String devices = path.endsWith("devices") ? value : "1";
      String yaml =
          HEADER
              + "spec:\n"
              + "  parallelism: "
              + parallelism
              + "\n  tasks:\n"
              + "    - name: a\n"
              + "      retry: {maxAttempts: "
              + maxAttempts
              + ", multiplier: "
              + multiplier
              + "}\n"
              + "      simulate: {failureRate: "
              + failureRate
              + ", failAttempts: "
              + failAttempts
              + "}\n"
              + "    - {name: b, gpu: {op: inventory, devices: "
              + devices
              + "}}\n";

      assertThat(messages(yaml)).containsExactly(path + ": " + message);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            spec.parallelism.completions   | 0     | 0 is out of range: must be between 1 and 1000
            spec.parallelism.completions   | 1001  | 1001 is out of range: must be between 1 and 1000
            spec.parallelism.maxConcurrent | 0     | 0 is out of range: must be between 1 and 1000
            spec.restartPolicy.maxRetries  | -1    | -1 is out of range: must be between 0 and 100
            spec.restartPolicy.maxRetries  | 101   | 101 is out of range: must be between 0 and 100
            spec.restartPolicy.multiplier  | 0.9   | 0.9 is out of range: must be between 1 and 100
            """)
    void jobNumbersOutsideTheirRangeAreRefused(String path, String value, String message) {
      String field = path.substring(path.lastIndexOf('.') + 1);
      String block = path.split("\\.")[1];
      String yaml =
          "apiVersion: capstan.io/v1\nkind: Job\nmetadata: {name: j}\n"
              + "spec:\n  simulate: {}\n  "
              + block
              + ": {"
              + field
              + ": "
              + value
              + "}\n";

      assertThat(messages(yaml)).containsExactly(path + ": " + message);
    }

    @Test
    void aSeedBeyondSixtyFourBitsIsOutOfRange() {
      assertThat(
              messages(
                  "apiVersion: capstan.io/v1\nkind: Job\nmetadata: {name: j}\n"
                      + "spec: {simulate: {seed: 99999999999999999999}}\n"))
          .containsExactly(
              "spec.simulate.seed: 99999999999999999999 is out of range: must be between"
                  + " -9223372036854775807 and 9223372036854775806");
    }

    @Test
    void aSeedWrittenAsAHugeFloatIsOutOfRangeNotUnreadable() {
      // Found by DefinitionFuzzTest (seed 8335940261639891429, case 324): 1e308 passed the
      // validator, whose bounds check saturates a float to a long, and then failed to bind.
      assertThat(
              messages(
                  "apiVersion: capstan.io/v1\nkind: Job\nmetadata: {name: j}\n"
                      + "spec: {simulate: {seed: 1e308}}\n"))
          .singleElement()
          .asString()
          .startsWith("spec.simulate.seed: ")
          .contains(
              "is out of range: must be between -9223372036854775807 and 9223372036854775806");
    }
  }

  @Nested
  @DisplayName("sizes")
  class Sizes {
    @Test
    void aPipelineNeedsAtLeastOneTask() {
      assertThat(messages(HEADER + "spec: {tasks: []}"))
          .containsExactly("spec.tasks: a pipeline needs at least one task");
    }

    @Test
    void aPipelineHasAtMostAHundredThousandTasks() {
      StringBuilder yaml = new StringBuilder(HEADER + "spec:\n  tasks:\n");
      for (int i = 0; i < 100_001; i++) {
        yaml.append("    - {name: t").append(i).append(", simulate: {}}\n");
      }

      assertThat(messages(yaml.toString()))
          .containsExactly("spec.tasks: has 100001 tasks; at most 100000 are allowed");
    }

    @Test
    void aPipelineOfFiveThousandTasksIsAccepted() {
      StringBuilder yaml = new StringBuilder(HEADER + "spec:\n  tasks:\n");
      for (int i = 0; i < 5000; i++) {
        yaml.append("    - {name: t").append(i);
        yaml.append(i == 0 ? "" : ", dependsOn: [t" + (i - 1) + "]");
        yaml.append(", simulate: {output: \"#{params.p}\"}}\n");
      }
      yaml.append("  params: {p: x}\n");

      assertThat(DefinitionParser.parse(yaml.toString())).hasSize(1);
    }

    @Test
    void aVeryLongStringIsRefusedWithItsLength() {
      String output = "x".repeat(YamlDocuments.MAX_TEXT + 1);
      assertThat(
              messages(HEADER + "spec: {tasks: [{name: a, simulate: {output: " + output + "}}]}"))
          .containsExactly(
              "spec.tasks[0].simulate.output: this text is 65537 characters long; at most 65536"
                  + " are allowed");
    }

    @Test
    void aDependencyListedTwiceIsReported() {
      assertThat(
              messages(
                  HEADER
                      + "spec: {tasks: [{name: a, simulate: {}},"
                      + " {name: b, dependsOn: [a, a], simulate: {}}]}"))
          .containsExactly("spec.tasks[1].dependsOn: lists 'a' more than once");
    }
  }

  @Test
  void aKeyWrittenTwiceIsReportedWhereTheSecondOneIs() {
    assertThat(
            Rejections.located(
                HEADER
                    + """
                    spec:
                      parallelism: 2
                      tasks: [{name: a, simulate: {}}]
                      parallelism: 3
                    """))
        .containsExactly(
            "7:3 spec.parallelism: duplicate key 'parallelism': it is already set at line 5");
  }
}
