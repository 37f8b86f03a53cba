package io.capstan.definitions;

import static io.capstan.definitions.Rejections.messages;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("env entries are checked: one source each, valid names, secrets by plain name")
class EnvValidationTest {
  private static final String HEADER =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: p}
      spec:
        tasks:
          - name: a
            shell:
              command: [env]
      """;

  @Test
  void anEntryWithBothAValueAndASecretRefIsToldToKeepOne() {
    assertThat(messages(HEADER + "        env: [{name: A, value: x, secretRef: a}]\n"))
        .containsExactly(
            "spec.tasks[0].shell.env[0]: has both value and secretRef; keep one (a literal"
                + " value, or the name of a secret)");
  }

  @Test
  void anEntryWithNeitherAValueNorASecretRefIsToldToAddOne() {
    assertThat(messages(HEADER + "        env: [{name: A}]\n"))
        .containsExactly(
            "spec.tasks[0].shell.env[0]: needs a value or a secretRef (the name of a secret the"
                + " worker resolves)");
  }

  @Test
  void aSecretRefCannotBeATemplate() {
    assertThat(messages(HEADER + "        env: [{name: A, secretRef: \"#{params.which}\"}]\n"))
        .containsExactly(
            "spec.tasks[0].shell.env[0].secretRef: a secretRef is the name of a secret and cannot"
                + " use #{...} references: write the secret's name, e.g. db-url");
  }

  @Test
  void aSecretRefMustBeADnsLabel() {
    assertThat(messages(HEADER + "        env: [{name: A, secretRef: ../etc/passwd}]\n"))
        .containsExactly(
            "spec.tasks[0].shell.env[0].secretRef: '../etc/passwd' is not a valid secret name:"
                + " use a DNS label (lowercase letters, digits and '-', starting and ending with a"
                + " letter or digit, at most 63 characters)");
  }

  @Test
  void environmentVariableNamesMustBeIdentifiersInBothForms() {
    assertThat(messages(HEADER + "        env: [{name: 1A, value: x}]\n"))
        .containsExactly(
            "spec.tasks[0].shell.env[0].name: '1A' is not a valid environment variable name: use"
                + " letters, digits and '_', not starting with a digit");
    assertThat(messages(HEADER + "        env: {\"A-B\": x}\n"))
        .containsExactly(
            "spec.tasks[0].shell.env.A-B: 'A-B' is not a valid environment variable name: use"
                + " letters, digits and '_', not starting with a digit");
  }

  @Test
  void aNameSetTwiceInTheListIsReportedWhereItRepeats() {
    assertThat(
            messages(
                HEADER
                    + "        env:\n"
                    + "          - {name: A, value: x}\n"
                    + "          - {name: B, secretRef: b}\n"
                    + "          - {name: A, secretRef: a}\n"))
        .containsExactly(
            "spec.tasks[0].shell.env[2].name: duplicate env name 'A': set each variable once"
                + " (first set at line 10)");
  }

  @Test
  void unknownFieldsInAnEntryAreNamed() {
    assertThat(messages(HEADER + "        env: [{name: A, valu: x}]\n"))
        .contains("spec.tasks[0].shell.env[0].valu: unknown field (did you mean 'value'?)");
  }

  @Test
  void envThatIsNeitherAMapNorAListSaysWhichFormsThereAre() {
    assertThat(messages(HEADER + "        env: A=b\n"))
        .containsExactly(
            "spec.tasks[0].shell.env: expected a map of NAME: value or a list of {name, value}"
                + " and {name, secretRef}, got the string 'A=b'");
  }

  @Test
  void referencesInListValuesAreCheckedLikeAnyRenderedField() {
    assertThat(messages(HEADER + "        env: [{name: A, value: \"#{params.nope}\"}]\n"))
        .singleElement()
        .asString()
        .startsWith("spec.tasks[0].shell.env[0].value: ");
  }

  @Test
  void theSecretExampleIsValid() {
    assertThat(DefinitionParser.parse(Examples.read("secret-pipeline.yaml"))).hasSize(1);
  }
}
