package io.capstan.api.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Visibility queries for run listings")
class RunListerTest {
  @Test
  @DisplayName("without filters, every Capstan workflow type except continued-as-new executions")
  void unfilteredQueryCoversEveryKind() {
    assertThat(RunLister.visibilityQuery(RunFilter.ALL))
        .isEqualTo(
            "(WorkflowType = 'Pipeline' OR WorkflowType = 'Job')"
                + " AND ExecutionStatus != 'ContinuedAsNew'");
  }

  @Test
  @DisplayName("kind and status become WorkflowType and ExecutionStatus")
  void filtersBecomeSearchAttributes() {
    RunFilter filter =
        new RunFilter(Optional.of(RunKind.JOB), Optional.of(RunStatus.TIMED_OUT), Optional.empty());

    assertThat(RunLister.visibilityQuery(filter))
        .isEqualTo("WorkflowType = 'Job' AND ExecutionStatus = 'TimedOut'");
  }

  @Test
  @DisplayName("status filters read in any letter case")
  void statusFiltersReadInAnyCase() {
    assertThat(RunStatus.parse("timed_out")).contains(RunStatus.TIMED_OUT);
    assertThat(RunStatus.parse("TimedOut")).contains(RunStatus.TIMED_OUT);
    assertThat(RunStatus.parse("completed")).contains(RunStatus.COMPLETED);
    assertThat(RunStatus.parse("asleep")).isEmpty();
  }
}
