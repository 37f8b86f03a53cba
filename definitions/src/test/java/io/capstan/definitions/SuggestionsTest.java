package io.capstan.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
  @Test
  void aCloseNameIsSuggested() {
    assertThat(Suggestions.didYouMean("extrct", List.of("extract", "load")))
        .isEqualTo(" (did you mean 'extract'?)");
    assertThat(Suggestions.closest("zzz", List.of("extract", "load"))).isEmpty();
  }

  @Test
  void aStringLongerThanAnyNameGetsNoSuggestionInsteadOfAQuadraticSearch() {
    // ApiFuzzTest (seed 9213684308223729081, case 163) sent a 130,000-character task name that
    // depended on another such name: the edit distance took 5 s on each validation.
    String huge = "#{".repeat(65_000);
    String other = "#{".repeat(64_999) + "x";

    assertThat(Suggestions.closest(huge, List.of(other, "load"))).isEmpty();
    assertThat(Suggestions.closest("lod", List.of(other, "load"))).contains("load");
  }
}
