package io.capstan.definitions;

import static io.capstan.definitions.Rejections.messages;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Jobs are checked for what they cannot do yet and for their references")
class JobValidationTest {
  private static final String HEADER =
      """
      apiVersion: capstan.io/v1
      kind: Job
      metadata: {name: j}
      """;

  @Test
  void aScheduledJobIsRefusedUntilTemporalSchedulesArrive() {
    assertThat(
            Rejections.located(
                HEADER
                    + """
                    spec:
                      schedule: "0 3 * * *"
                      simulate: {duration: 1s}
                    """))
        .containsExactly(
            "5:13 spec.schedule: schedules are not supported yet: they arrive with the real"
                + " Temporal stack (Temporal Schedules); remove spec.schedule to run the job once");
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
