package io.capstan.definitions;

import static io.capstan.definitions.Rejections.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.job.Cron;
import io.capstan.definitions.job.ScheduleOverlap;
import io.capstan.definitions.job.ScheduleSpec;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("A job's schedule is a cron string or an object, checked as Temporal will read it")
class JobScheduleTest {
  private static final String HEADER =
      """
      apiVersion: capstan.io/v1
      kind: Job
      metadata: {name: j}
      spec:
        simulate: {duration: 1s}
      """;

  private static final String HINT =
      "write five fields (minute hour day-of-month month day-of-week) such as \"*/15 * * * *\","
          + " or @every 10m, or one of @hourly, @daily, @weekly, @monthly, @yearly";

  private static ScheduleSpec schedule(String yaml) {
    JobDefinition job = (JobDefinition) DefinitionParser.parse(HEADER + yaml).get(0);
    return job.spec().schedule();
  }

  @Test
  void aCronStringIsShortForTheObjectWithEveryPolicyAtItsDefault() {
    assertThat(schedule("  schedule: \"0 3 * * *\"\n"))
        .isEqualTo(
            new ScheduleSpec(
                "0 3 * * *", ScheduleOverlap.SKIP, Duration.ofMinutes(1), false, "UTC"));
  }

  @Test
  void theObjectFormSetsEveryPolicy() {
    ScheduleSpec spec =
        schedule(
            """
              schedule:
                cron: "@every 30s"
                overlap: terminateOther
                catchupWindow: 10s
                paused: true
                timezone: Europe/Berlin
            """);

    assertThat(spec)
        .isEqualTo(
            new ScheduleSpec(
                "@every 30s",
                ScheduleOverlap.TERMINATE_OTHER,
                Duration.ofSeconds(10),
                true,
                "Europe/Berlin"));
    assertThat(Cron.interval(spec.cron())).contains(Duration.ofSeconds(30));
  }

  @Test
  void aJobWithoutScheduleHasNone() {
    assertThat(schedule("")).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "* * * * *",
        "0 3 * * *",
        "*/15 * * * *",
        "0 9 * * MON-FRI",
        "0 0 1 jan,jul *",
        "5,35 0-23/2 * * 7",
        "30 4 1-7/2 dec sunday",
        "@every 10m",
        "@every 1h30m",
        "@hourly",
        "@daily",
        "@midnight",
        "@weekly",
        "@monthly",
        "@yearly",
        "@annually"
      })
  void acceptsWhatTemporalSchedulesRead(String cron) {
    assertThat(schedule("  schedule: \"" + cron + "\"\n").cron()).isEqualTo(cron);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0 25 * * *     | '0 25 * * *' is not a valid schedule: hour '25' is out of range 0-23",
        "*/0 * * * *    | '*/0 * * * *' is not a valid schedule: minute '*/0' steps by 0",
        "0 3 ? * *      | '0 3 ? * *' is not a valid schedule: day-of-month '?' cannot be read",
        "0 3 * * FRI-MO | '0 3 * * FRI-MO' is not a valid schedule: day-of-week range 'FRI-MO'"
            + " runs backwards",
        "0 3 * smarch * | '0 3 * smarch *' is not a valid schedule: month 'smarch' is neither a"
            + " number 1-12 nor a name such as feb",
      })
  void refusesACronFieldItCannotRead(String cron, String problem) {
    assertThat(messages(HEADER + "  schedule: \"" + cron + "\"\n"))
        .containsExactly("spec.schedule: " + problem + "; " + HINT);
  }

  @Test
  void refusesAnIntervalOrShorthandItCannotRead() {
    assertThat(
            messages(
                HEADER
                    + """
                      schedule:
                        cron: "@every soon"
                    """))
        .containsExactly(
            "spec.schedule.cron: '@every soon' needs a duration after @every, such as @every 30s"
                + " or @every 1h; use 500ms, 10s, 5m, 2h, 1d or ISO-8601 like PT5M");
    assertThat(messages(HEADER + "  schedule: \"@every 500ms\"\n"))
        .containsExactly(
            "spec.schedule: '@every 500ms' is too frequent: a schedule fires at most once a"
                + " second");
    assertThat(messages(HEADER + "  schedule: \"@Daily\"\n"))
        .containsExactly("spec.schedule: '@Daily' is not a known shorthand: " + HINT);
  }

  @Test
  void refusesATimeZoneThatIsNotAnIanaId() {
    assertThat(
            messages(
                HEADER
                    + """
                      schedule: {cron: "@daily", timezone: Europe/Berln}
                    """))
        .containsExactly(
            "spec.schedule.timezone: 'Europe/Berln' is not a time zone (did you mean"
                + " 'Europe/Berlin'?): use an IANA id such as UTC, Europe/Berlin or"
                + " America/New_York");
    assertThat(messages(HEADER + "  schedule: {cron: \"@daily\", timezone: \"+01:00\"}\n"))
        .containsExactly(
            "spec.schedule.timezone: '+01:00' is not a time zone: use an IANA id such as UTC,"
                + " Europe/Berlin or America/New_York");
  }

  @Test
  void refusesACatchUpWindowShorterThanTemporalAllows() {
    assertThat(messages(HEADER + "  schedule: {cron: \"@daily\", catchupWindow: 5s}\n"))
        .containsExactly(
            "spec.schedule.catchupWindow: '5s' is too short: a catch-up window is at least 10s");
  }

  @Test
  void refusesWhatIsNeitherACronStringNorAScheduleObject() {
    assertThat(messages(HEADER + "  schedule: 5\n"))
        .containsExactly(
            "spec.schedule: expected a cron string such as \"0 3 * * *\" or a map with cron, got"
                + " the number 5");
    assertThat(messages(HEADER + "  schedule: \"\"\n"))
        .containsExactly("spec.schedule: must not be empty");
    assertThat(messages(HEADER + "  schedule: {overlop: skip}\n"))
        .containsExactly(
            "spec.schedule.cron: required field is missing",
            "spec.schedule.overlop: unknown field (did you mean 'overlap'?)");
    assertThat(messages(HEADER + "  schedule: {cron: \"@daily\", overlap: sometimes}\n"))
        .containsExactly(
            "spec.schedule.overlap: 'sometimes' is not allowed: use skip, bufferOne, bufferAll,"
                + " cancelOther, terminateOther or allowAll");
  }
}
