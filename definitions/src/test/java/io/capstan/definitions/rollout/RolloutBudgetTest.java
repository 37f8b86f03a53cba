package io.capstan.definitions.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A rollout's maxSurge and maxUnavailable, with a Deployment's semantics")
class RolloutBudgetTest {
  @Test
  @DisplayName("defaults to a surge of 1 and nothing unavailable")
  void defaults() {
    RolloutBudget budget = RolloutBudget.of(null, null, 20);
    assertThat(budget).isEqualTo(new RolloutBudget(1, 0));
    assertThat(budget.floor(20)).isEqualTo(20);
    assertThat(budget.ceiling(20)).isEqualTo(21);
  }

  @Test
  @DisplayName("counts are taken as they are; a surge percentage rounds up, unavailable down")
  void percentagesRound() {
    assertThat(RolloutBudget.of("2", "1", 20)).isEqualTo(new RolloutBudget(2, 1));
    // 25% of 10 is 2.5: a Deployment surges 3 and lets 2 go unavailable.
    assertThat(RolloutBudget.of("25%", "25%", 10)).isEqualTo(new RolloutBudget(3, 2));
    assertThat(RolloutBudget.of("1%", "10%", 3)).isEqualTo(new RolloutBudget(1, 0));
    assertThat(RolloutBudget.of("100%", "0", 4)).isEqualTo(new RolloutBudget(4, 0));
    assertThat(RolloutBudget.of("0", "30%", 10).floor(10)).isEqualTo(7);
  }

  @Test
  @DisplayName("both zero, also after rounding, is an error that says what to change")
  void bothZeroIsRefused() {
    assertThatThrownBy(() -> RolloutBudget.of("0", "0", 5))
        .hasMessage(
            "maxSurge and maxUnavailable are both 0 for a pool of 5 nodes: no node could be"
                + " replaced (give maxSurge at least 1, or maxUnavailable)");
    assertThatThrownBy(() -> RolloutBudget.of("0", "10%", 5))
        .hasMessageStartingWith("maxSurge and maxUnavailable are both 0");
  }

  @Test
  @DisplayName("malformed values name the field and the shapes it takes")
  void malformedValues() {
    assertThat(RolloutBudget.problem("maxSurge", "two"))
        .contains("maxSurge takes a count (2) or a percentage of the pool (\"25%\"), not 'two'");
    assertThat(RolloutBudget.problem("maxUnavailable", "150%"))
        .contains("maxUnavailable is a percentage of at most 100%, not 150%");
    assertThat(RolloutBudget.problem("maxSurge", "-1")).isPresent();
    assertThat(RolloutBudget.problem("maxSurge", "3")).isEmpty();
    assertThatThrownBy(() -> RolloutBudget.of("1.5", null, 4))
        .hasMessageContaining("maxSurge takes a count");
  }
}
