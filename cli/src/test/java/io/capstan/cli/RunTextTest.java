package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("How the CLI writes runs")
class RunTextTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName("the progress bar fills in proportion to the tasks done")
  void progressBarFillsProportionally() {
    assertThat(RunText.progressBar(3, 6, 10)).isEqualTo("[#####-----] 3/6");
    assertThat(RunText.progressBar(0, 4, 8)).isEqualTo("[--------] 0/4");
    assertThat(RunText.progressBar(4, 4, 8)).isEqualTo("[########] 4/4");
    assertThat(RunText.progressBar(0, 0, 4)).isEqualTo("[----] 0/0");
  }

  @Test
  @DisplayName("a frame heads with id, status, pause and bar, then one line per task")
  void frameShowsHeaderAndTasks() throws Exception {
    JsonNode run =
        JSON.readTree(
            """
            {"id": "pipeline-default-etl-abcd1234", "status": "RUNNING", "phase": "PAUSED",
             "progress": {"done": 1, "total": 2},
             "tasks": {
               "extract": {"state": "SUCCEEDED", "attempts": 1, "output": "rows"},
               "transform": {"state": "RETRYING", "attempts": 2, "error": "exit code 3"}
             }}
            """);

    assertThat(RunText.frame(run))
        .containsExactly(
            "pipeline-default-etl-abcd1234  RUNNING (paused)  [##########----------] 1/2",
            "  extract    SUCCEEDED  attempt 1   -> rows",
            "  transform  RETRYING   attempt 2   exit code 3");
  }

  @Test
  @DisplayName("a problem reads as path (line:col): message")
  void problemReadsWithPosition() throws Exception {
    assertThat(
            RunText.detail(
                JSON.readTree(
                    "{\"path\": \"spec.tasks[0]\", \"line\": 7, \"column\": 5,"
                        + " \"message\": \"unknown field\"}")))
        .isEqualTo("spec.tasks[0] (7:5): unknown field");
    assertThat(RunText.detail(JSON.readTree("{\"path\": \"kind\", \"message\": \"missing\"}")))
        .isEqualTo("kind: missing");
  }

  @Test
  @DisplayName("durations read the way definitions write them")
  void durationsReadLikeDefinitions() {
    assertThat(RunText.duration("PT1M4S")).isEqualTo("1m4s");
    assertThat(RunText.duration(Duration.ofMillis(1500))).isEqualTo("1s500ms");
    assertThat(RunText.duration("PT0S")).isEqualTo("0s");
    assertThat(RunText.duration("soon")).isEqualTo("soon");
  }

  @Test
  @DisplayName("watch intervals accept seconds and milliseconds, and refuse busy loops")
  void watchIntervalsParse() {
    assertThat(WatchCommand.parseInterval("1s")).isEqualTo(Duration.ofSeconds(1));
    assertThat(WatchCommand.parseInterval("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(WatchCommand.parseInterval("0.5")).isEqualTo(Duration.ofMillis(500));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> WatchCommand.parseInterval("1ms"))
        .isInstanceOf(CliException.class);
  }
}
