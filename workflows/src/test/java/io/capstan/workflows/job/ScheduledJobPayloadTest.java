package io.capstan.workflows.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.JobDefinition;
import io.capstan.definitions.job.ScheduleOverlap;
import io.capstan.definitions.job.ScheduleSpec;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A scheduled job travels as Temporal payloads (a schedule's action carries its {@link JobInput}),
 * so the schedule must survive Temporal's own Jackson mapper, not only the definition parser.
 */
@DisplayName("A job with a schedule through Temporal's default data converter")
class ScheduledJobPayloadTest {
  static final DataConverter CONVERTER = DefaultDataConverter.STANDARD_INSTANCE;

  static JobDefinition parse(String schedule) {
    return (JobDefinition)
        DefinitionParser.parse(
                """
                apiVersion: capstan.io/v1
                kind: Job
                metadata: {name: nightly, namespace: team-a}
                spec:
                  simulate: {duration: 2s, output: done}
                  timeout: 5m
                """
                    + "  schedule: "
                    + schedule
                    + "\n")
            .get(0);
  }

  @Test
  @DisplayName("round-trips the schedule written as a cron string, as an object")
  void cronShorthandRoundTrips() {
    JobDefinition job = parse("\"*/5 * * * *\"");
    Payload payload = CONVERTER.toPayload(job).orElseThrow();

    JobDefinition back = CONVERTER.fromPayload(payload, JobDefinition.class, JobDefinition.class);

    assertThat(back).isEqualTo(job);
    assertThat(back.spec().schedule())
        .isEqualTo(
            new ScheduleSpec(
                "*/5 * * * *", ScheduleOverlap.SKIP, Duration.ofMinutes(1), false, "UTC"));
    assertThat(payload.getData().toString(StandardCharsets.UTF_8))
        .contains("\"schedule\":{\"cron\":\"*/5 * * * *\",\"overlap\":\"skip\"");
  }

  @Test
  @DisplayName("round-trips every policy of the object form inside a JobInput")
  void objectFormRoundTripsInAJobInput() {
    JobInput input =
        JobInput.of(
            parse(
                "{cron: \"@every 90s\", overlap: bufferAll, catchupWindow: 2h, paused: true,"
                    + " timezone: America/New_York}"),
            Map.of());
    Payload payload = CONVERTER.toPayload(input).orElseThrow();

    JobInput back = CONVERTER.fromPayload(payload, JobInput.class, JobInput.class);

    assertThat(back).isEqualTo(input);
    assertThat(back.definition().spec().schedule())
        .isEqualTo(
            new ScheduleSpec(
                "@every 90s",
                ScheduleOverlap.BUFFER_ALL,
                Duration.ofHours(2),
                true,
                "America/New_York"));
  }

  @Test
  @DisplayName("reads a schedule that arrives as a bare cron string, e.g. from the stock CLI")
  void readsTheShorthandToo() {
    Payload payload =
        CONVERTER.toPayload(Map.of("cron", "ignored")).orElseThrow().toBuilder()
            .setData(ByteString.copyFromUtf8("\"0 3 * * *\""))
            .build();

    ScheduleSpec schedule = CONVERTER.fromPayload(payload, ScheduleSpec.class, ScheduleSpec.class);

    assertThat(schedule).isEqualTo(ScheduleSpec.of("0 3 * * *"));
    assertThat(schedule.overlap()).isEqualTo(ScheduleOverlap.SKIP);
  }
}
