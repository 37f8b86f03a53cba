package io.capstan.api.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.api.http.UnprocessableException;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Visibility queries for run listings")
class RunQueryTest {
  @Test
  @DisplayName("without filters, every Capstan kind except continued-as-new executions")
  void unfilteredQueryCoversEveryKind() {
    assertThat(RunQuery.of(RunFilter.ALL))
        .isEqualTo(
            "CapstanKind IN ('Pipeline', 'Job', 'Cluster', 'RollingUpdate') AND ExecutionStatus"
                + " != 'ContinuedAsNew'");
  }

  @Test
  @DisplayName("kind, namespace, schedule and status become search-attribute terms")
  void filtersBecomeSearchAttributeTerms() {
    RunFilter filter =
        new RunFilter(
            Optional.of(RunKind.JOB),
            Optional.of(RunStatus.TIMED_OUT),
            Optional.of("team-a"),
            Optional.of("schedule-team-a-backup"));

    assertThat(RunQuery.of(filter))
        .isEqualTo(
            "CapstanKind = 'Job' AND CapstanNamespace = 'team-a'"
                + " AND TemporalScheduledById = 'schedule-team-a-backup'"
                + " AND ExecutionStatus = 'TimedOut'");
  }

  @Test
  @DisplayName("each API status maps onto Temporal's ExecutionStatus name")
  void statusesMapOntoExecutionStatus() {
    assertThat(
            RunQuery.of(
                new RunFilter(
                    Optional.of(RunKind.PIPELINE),
                    Optional.of(RunStatus.RUNNING),
                    Optional.empty())))
        .isEqualTo("CapstanKind = 'Pipeline' AND ExecutionStatus = 'Running'");
    assertThat(RunStatus.CANCELED.visibilityName()).isEqualTo("Canceled");
    assertThat(RunStatus.TERMINATED.visibilityName()).isEqualTo("Terminated");
  }

  @Test
  @DisplayName("status filters read in any letter case")
  void statusFiltersReadInAnyCase() {
    assertThat(RunStatus.parse("timed_out")).contains(RunStatus.TIMED_OUT);
    assertThat(RunStatus.parse("TimedOut")).contains(RunStatus.TIMED_OUT);
    assertThat(RunStatus.parse("completed")).contains(RunStatus.COMPLETED);
    assertThat(RunStatus.parse("asleep")).isEmpty();
  }

  @ParameterizedTest(name = "namespace {0} is refused")
  @ValueSource(
      strings = {
        "team-a' OR CapstanKind != 'x",
        "x') OR ('1' = '1",
        "a\"b",
        "ns` OR 1=1",
        "team a",
        "team-a\nAND",
        "ünïcode",
        "",
      })
  @DisplayName("values that could close their quotes or change the query are refused")
  void injectionAttemptsAreRefused(String value) {
    RunFilter filter =
        new RunFilter(Optional.empty(), Optional.empty(), Optional.of(value), Optional.empty());

    assertThatThrownBy(() -> RunQuery.of(filter))
        .isInstanceOf(UnprocessableException.class)
        .satisfies(
            e ->
                assertThat(((UnprocessableException) e).details().get(0).path())
                    .isEqualTo("namespace"));
  }

  @Test
  @DisplayName("schedule ids are held to the same characters as namespaces")
  void scheduleIdsAreCheckedToo() {
    RunFilter filter =
        new RunFilter(
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("s' OR 'a'='a"));

    assertThatThrownBy(() -> RunQuery.of(filter))
        .isInstanceOf(UnprocessableException.class)
        .hasMessage("invalid schedule filter");
  }

  @Test
  @DisplayName("names with dots, underscores and digits pass unchanged")
  void ordinaryNamesPass() {
    assertThat(RunQuery.safeValue("namespace", "team_a.v2-prod")).isEqualTo("team_a.v2-prod");
    assertThat(RunQuery.safeValue("namespace", "x".repeat(255))).hasSize(255);
    assertThatThrownBy(() -> RunQuery.safeValue("namespace", "x".repeat(256)))
        .isInstanceOf(UnprocessableException.class);
  }
}
