package io.capstan.definitions;

import static io.capstan.definitions.Rejections.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Durations are read and printed the way people write them")
class DurationsTest {
  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "500ms, PT0.5S",
    "10s, PT10S",
    "5m, PT5M",
    "2h, PT2H",
    "1d, PT24H",
    "1h30m, PT1H30M",
    "0s, PT0S",
    "PT5M, PT5M",
    "P1DT2H, PT26H",
    "PT1.5S, PT1.5S"
  })
  void everyDocumentedFormIsRead(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"5 minutes", "10", "", "1.5s", "-5s", "5M", "PT", "P", "P1W", "pt5m"})
  void anythingElseIsRefusedWithTheAdvice(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'" + text + "' is not a duration: use 500ms, 10s, 5m, 2h, 1d or ISO-8601 like PT5M");
  }

  @ParameterizedTest(name = "{0} prints as {1}")
  @CsvSource({
    "PT0S, 0s",
    "PT0.5S, 500ms",
    "PT10S, 10s",
    "PT5M, 5m",
    "PT90S, 1m30s",
    "PT2H, 2h",
    "PT24H, 1d",
    "PT26H, 1d2h",
    "PT1.25S, 1s250ms"
  })
  void formatPrintsTheShortForm(String iso, String text) {
    assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @Test
  void formatFallsBackToIsoBelowAMillisecond() {
    assertThat(Durations.format(Duration.ofNanos(1500))).isEqualTo("PT0.0000015S");
  }

  @Test
  void aBadDurationInADefinitionNamesItsPath() {
    assertThat(
            messages(
                """
                apiVersion: capstan.io/v1
                kind: Pipeline
                metadata: {name: p}
                spec:
                  timeout: 5 minutes
                  defaults: {retry: {initial: 10 s}}
                  tasks: [{name: a, simulate: {duration: 10}}]
                """))
        .containsExactly(
            "spec.timeout: '5 minutes' is not a duration: use 500ms, 10s, 5m, 2h, 1d or ISO-8601"
                + " like PT5M",
            "spec.defaults.retry.initial: '10 s' is not a duration: use 500ms, 10s, 5m, 2h, 1d or"
                + " ISO-8601 like PT5M",
            "spec.tasks[0].simulate.duration: '10' is not a duration: use 500ms, 10s, 5m, 2h, 1d"
                + " or ISO-8601 like PT5M");
  }

  @Test
  void timeoutsAndDelaysMustBeAboveZeroAndBelowAYear() {
    assertThat(
            messages(
                """
                apiVersion: capstan.io/v1
                kind: Pipeline
                metadata: {name: p}
                spec:
                  timeout: 0s
                  tasks:
                    - name: a
                      timeout: 400d
                      retry: {initial: 10s, max: 1s, interval: PT0S}
                      simulate: {duration: 0s}
                """))
        .containsExactly(
            "spec.timeout: '0s' is too short: use a duration above zero",
            "spec.tasks[0].timeout: '400d' is too long: at most 365d",
            "spec.tasks[0].retry.max: max (1s) is shorter than initial (10s)",
            "spec.tasks[0].retry.interval: 'PT0S' is too short: use a duration above zero");
  }
}
