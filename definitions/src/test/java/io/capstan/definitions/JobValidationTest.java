package io.capstan.definitions;

import static io.capstan.definitions.Rejections.messages;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Jobs are checked for their schedule, restart policy and references")
class JobValidationTest {
  private static final String HEADER =
      """
      apiVersion: capstan.io/v1
      kind: Job
      metadata: {name: j}
      """;

  @Test
  void aScheduleThatCannotBeReadIsRefusedWhereItIsWritten() {
    assertThat(
            Rejections.located(
                HEADER
                    + """
                    spec:
                      schedule: "0 3 * *"
                      simulate: {duration: 1s}
                    """))
        .containsExactly(
            "5:13 spec.schedule: '0 3 * *' has 4 fields, not 5: write five fields (minute hour"
                + " day-of-month month day-of-week) such as \"*/15 * * * *\", or @every 10m, or"
                + " one of @hourly, @daily, @weekly, @monthly, @yearly");
  }

  @Test
  void aJobMayUseItsParamsButNoTaskOutputs() {
    assertThat(
            messages(
                HEADER
                    + """
                    spec:
                      params: {target: prod}
                      shell: {command: [deploy, "#{params.target}", "#{build.output}", "#{params.tag}"]}
                    """))
        .containsExactly(
            "spec.shell.command[2]: '#{build.output}' refers to a task output, but a job has no"
                + " tasks: only #{params.NAME} can be used here",
            "spec.shell.command[3]: '#{params.tag}' refers to unknown param 'tag'; declare it in"
                + " spec.params");
  }

  @Test
  void aRestartPolicyNeedsPositiveDelays() {
    assertThat(
            messages(
                HEADER + "spec: {simulate: {}, restartPolicy: {backoff: linear, interval: 0ms}}\n"))
        .containsExactly(
            "spec.restartPolicy.interval: '0ms' is too short: use a duration above zero");
  }
}
