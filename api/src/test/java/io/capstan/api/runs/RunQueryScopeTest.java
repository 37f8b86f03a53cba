package io.capstan.api.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A caller's namespaces narrow the visibility query itself")
class RunQueryScopeTest {
  @Test
  @DisplayName("a scope becomes CapstanNamespace IN (...), beside the caller's own filters")
  void scopeIsPartOfTheQuery() {
    RunFilter filter =
        new RunFilter(
                Optional.of(RunKind.PIPELINE),
                Optional.empty(),
                Optional.of("team-a"),
                Optional.empty())
            .within(Set.of("team-b", "team-a"));

    assertThat(RunQuery.of(filter))
        .isEqualTo(
            "CapstanKind = 'Pipeline' AND CapstanNamespace = 'team-a' AND CapstanNamespace IN"
                + " ('team-a', 'team-b') AND ExecutionStatus != 'ContinuedAsNew'");
  }

  @Test
  @DisplayName("the scope also filters what the server returns, and the local index")
  void scopeFiltersRefs() {
    RunFilter filter = RunFilter.ALL.within(Set.of("team-a"));

    assertThat(filter.matches(new RunRef("x", RunKind.JOB, "a", "team-a"))).isTrue();
    assertThat(filter.matches(new RunRef("y", RunKind.JOB, "b", "team-b"))).isFalse();
    assertThat(filter.matches(new RunRef("z", RunKind.JOB, "c", null))).isFalse();
    assertThat(RunFilter.ALL.matches(new RunRef("y", RunKind.JOB, "b", "team-b"))).isTrue();
  }
}
