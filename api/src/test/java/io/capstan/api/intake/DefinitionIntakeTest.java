package io.capstan.api.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.api.Definitions;
import io.capstan.api.executors.ServedExecutors;
import io.capstan.api.http.BadRequestException;
import io.capstan.definitions.Problem;
import io.capstan.definitions.executor.ExecutorKind;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reading definitions from requests")
class DefinitionIntakeTest {
  private final DefinitionIntake intake =
      new DefinitionIntake(ServedExecutors.fixed(EnumSet.of(ExecutorKind.SIMULATE)));

  @Test
  @DisplayName("param.NAME query parameters become overrides; other parameters are ignored")
  void paramQueryParametersBecomeOverrides() {
    Map<String, List<String>> query = new LinkedHashMap<>();
    query.put("param.source", List.of("s3"));
    query.put("param.day", List.of("2025-01-01"));
    query.put("pretty", List.of("true"));

    Submission submission = intake.read(Definitions.PIPELINE, "application/yaml", query);

    assertThat(submission.params())
        .containsExactlyInAnyOrderEntriesOf(Map.of("source", "s3", "day", "2025-01-01"));
    assertThat(submission.definitions()).hasSize(1);
  }

  @Test
  @DisplayName("a param given twice is refused rather than guessed")
  void paramGivenTwiceIsRefused() {
    assertThatThrownBy(
            () ->
                intake.read(Definitions.PIPELINE, null, Map.of("param.source", List.of("a", "b"))))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("invalid parameter override");
  }

  @Test
  @DisplayName("JSON is recognised by its media type, parameters and +json suffixes included")
  void jsonIsRecognisedByMediaType() {
    assertThat(DefinitionIntake.isJson("application/json")).isTrue();
    assertThat(DefinitionIntake.isJson("Application/JSON; charset=utf-8")).isTrue();
    assertThat(DefinitionIntake.isJson("application/vnd.capstan+json")).isTrue();
    assertThat(DefinitionIntake.isJson("application/yaml")).isFalse();
    assertThat(DefinitionIntake.isJson(null)).isFalse();
  }

  @Test
  @DisplayName("each unserved executor is refused at its own document, path, line and column")
  void unservedExecutorsArePositioned() {
    String body =
        Definitions.PIPELINE
            + "---\n"
            + Definitions.CONTAINER_PIPELINE.replace(
                "container:\n        image: data-transformer:1.4\n        command: [transform]",
                "gpu: {devices: 1, op: burn-in, duration: 30s}");

    assertThatThrownBy(() -> intake.read(body, "application/yaml", Map.of()))
        .isInstanceOfSatisfying(
            UnservedExecutorException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        new Problem(
                            "documents[1].spec.tasks[1].gpu",
                            22,
                            7,
                            "no GPU host is in the GPU fleet: gpu tasks run on leased devices"
                                + " of a GPU host (start `capstan up`, whose simulated GPU hosts"
                                + " join the fleet, or `capstan worker --role gpu` on a machine"
                                + " with GPUs)")));
  }
}
