package io.capstan.api.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capstan.api.http.UnprocessableException;
import io.capstan.codec.CapstanDataConverter;
import io.capstan.definitions.Definition;
import io.capstan.definitions.DefinitionParser;
import io.temporal.common.converter.DataConverter;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunStarterSizeTest {
  private final DataConverter converter = CapstanDataConverter.create(Optional.empty());

  private static String pipeline(int tasks, int bytesPerTask, long seed) {
    Random random = new Random(seed);
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {name: big}\nspec:\n  tasks:\n");
    for (int i = 0; i < tasks; i++) {
      byte[] noise = new byte[bytesPerTask];
      random.nextBytes(noise);
      yaml.append("    - name: t")
          .append(i)
          .append("\n      simulate: {output: '")
          .append(Base64.getEncoder().encodeToString(noise))
          .append("'}\n");
    }
    return yaml.toString();
  }

  @Test
  void aDefinitionTemporalWouldRefuseIsRefusedSayingWhatToChange() {
    // The parser takes at most 1 MiB of YAML, so only params from elsewhere (a schedule, a
    // template) could push a run's input past Temporal's limit: 100 params of 24,000 random bytes.
    String yaml = pipeline(3, 100, 1);
    Definition definition = DefinitionParser.parse(yaml).get(0);
    Random random = new Random(2);
    Map<String, String> params = new java.util.HashMap<>();
    for (int i = 0; i < 100; i++) {
      byte[] noise = new byte[24_000];
      random.nextBytes(noise);
      params.put("p" + i, Base64.getEncoder().encodeToString(noise));
    }

    UnprocessableException refused =
        catchThrowableOfType(
            UnprocessableException.class,
            () -> RunStarter.checkSize(converter, definition, params, yaml));

    assertThat(refused.getMessage())
        .matches(
            "the definition of 'big' is \\d\\.\\d MiB as Temporal stores it, over the 1\\.9 MiB a run's input may take");
    assertThat(refused.details().get(0).message()).startsWith("split it into smaller pipelines");
  }

  @Test
  void aLargeButCompressibleDefinitionIsAccepted() {
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {name: wide}\nspec:\n  tasks:\n");
    for (int i = 0; i < 5_000; i++) {
      yaml.append("    - {name: task-").append(i).append(", simulate: {duration: 0s}}\n");
    }
    Definition definition = DefinitionParser.parse(yaml.toString()).get(0);

    assertThatCode(() -> RunStarter.checkSize(converter, definition, Map.of(), yaml.toString()))
        .doesNotThrowAnyException();
  }
}
