package io.capstan.workflows.pipeline;

import static io.capstan.workflows.pipeline.HistoryBudget.EVENTS_PER_TASK;
import static io.capstan.workflows.pipeline.HistoryBudget.HISTORY_EVENT_LIMIT;
import static io.capstan.workflows.pipeline.HistoryBudget.HISTORY_RESERVE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An execution's history budget")
class HistoryBudgetTest {

  @Test
  @DisplayName("has room for a task while the worst case of all in flight stays under the limit")
  void worstCaseAtTheLimit() {
    HistoryBudget budget = new HistoryBudget();
    int running = 10;
    // The history length at which one more task fills the budget exactly.
    long edge = HISTORY_EVENT_LIMIT - HISTORY_RESERVE - (long) EVENTS_PER_TASK * (running + 1);

    assertThat(budget.full(edge, false, running)).isFalse();
    assertThat(budget.full(edge + 1, false, running)).isTrue();
  }

  @Test
  @DisplayName("counts every task in flight: a wide execution fills up sooner")
  void tasksInFlightCount() {
    HistoryBudget budget = new HistoryBudget();

    assertThat(budget.full(3, false, 0)).isFalse();
    // 3 + 7 × 1,391 + 500 is exactly 10,240: the 1,391st task fits, the 1,392nd does not.
    assertThat(budget.full(3, false, 1_390)).isFalse();
    assertThat(budget.full(3, false, 1_391)).isTrue();
  }

  @Test
  @DisplayName("follows the server's continue-as-new suggestion once a task has ended")
  void suggestionAfterProgress() {
    HistoryBudget budget = new HistoryBudget();

    // An execution whose carry alone draws the suggestion must still make progress.
    assertThat(budget.full(3, true, 0)).isFalse();

    budget.taskEnded();

    assertThat(budget.tasksEnded()).isEqualTo(1);
    assertThat(budget.full(3, true, 0)).isTrue();
    assertThat(budget.full(3, false, 0)).isFalse();
  }
}
