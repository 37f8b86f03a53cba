package io.capstan.api.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.Definitions;
import io.capstan.definitions.Definition;
import io.capstan.definitions.DefinitionParser;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The YAML text of each submitted document")
class DocumentTextsTest {
  private static List<String> texts(String body, boolean json) {
    List<Definition> definitions = DefinitionParser.parse(body);
    return DocumentTexts.of(body, json, definitions, Set.of());
  }

  @Test
  @DisplayName("a single document is kept exactly as written, comments included")
  void singleDocumentIsKept() {
    String body = "# nightly backup\n" + Definitions.JOB;

    assertThat(texts(body, false)).containsExactly(body);
  }

  @Test
  @DisplayName("a stream is cut at its document markers, each piece as written")
  void streamIsCutAtMarkers() {
    String body =
        "---\n" + Definitions.JOB + "--- # the pipeline\n" + Definitions.PIPELINE + "...\n";

    assertThat(texts(body, false)).containsExactly(Definitions.JOB, Definitions.PIPELINE);
  }

  @Test
  @DisplayName("a '---' inside a block scalar's indented lines does not cut the document")
  void indentedMarkerIsContent() {
    String body =
        """
        apiVersion: capstan.io/v1
        kind: Job
        metadata: {name: with-script}
        spec:
          shell:
            command:
              - sh
              - -c
              - |
                echo start
                --- not a marker when indented
                echo end
        """;

    assertThat(texts(body, false)).containsExactly(body);
  }

  @Test
  @DisplayName("a JSON body is written anew as block YAML")
  void jsonBecomesYaml() {
    String json =
        """
        {"apiVersion": "capstan.io/v1", "kind": "Job", "metadata": {"name": "j"},
         "spec": {"simulate": {"output": "x"}}}
        """;

    List<String> texts = texts(json, true);

    assertThat(texts).hasSize(1);
    assertThat(texts.get(0))
        .isEqualTo(
            """
            apiVersion: capstan.io/v1
            kind: Job
            metadata:
              name: j
            spec:
              simulate:
                output: x
            """);
    assertThat(DefinitionParser.parse(texts.get(0))).isEqualTo(DefinitionParser.parse(json));
  }

  @Test
  @DisplayName("an empty '~' document among others still maps each text to its definition")
  void emptyDocumentsAreSkipped() {
    String body = Definitions.JOB + "--- ~\n---\n" + Definitions.PIPELINE;

    List<String> texts = texts(body, false);

    assertThat(texts).hasSize(2);
    assertThat(DefinitionParser.parse(texts.get(0)).get(0).metadata().name()).isEqualTo("backup");
    assertThat(DefinitionParser.parse(texts.get(1)).get(0).metadata().name())
        .isEqualTo("nightly-etl");
  }
}
