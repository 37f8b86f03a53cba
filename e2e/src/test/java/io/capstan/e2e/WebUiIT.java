package io.capstan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.testkit.Eventually;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API's {@code links.temporalUi} opens the run in the Temporal Web UI, where each activity is
 * named by its task. Checked in headless Chromium, with a screenshot kept under {@code
 * e2e/target/web-ui/} for a person to look at.
 */
class WebUiIT {
  @RegisterExtension static final RealStack stack = new RealStack();

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private static final String PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: ui-tour, namespace: e2e}
      spec:
        tasks:
          - name: extract
            simulate: {duration: 1s, output: rows}
          - name: load
            dependsOn: [extract]
            simulate: {duration: 1s, output: loaded}
      """;

  @Test
  @DisplayName("the run's Web UI link shows the workflow and a summary naming each task")
  void theWebUiShowsTheRunAndItsTasks() throws IOException {
    JsonNode submitted = stack.api().submit(PIPELINE);
    String id = submitted.get("id").asText();
    String link = submitted.at("/links/temporalUi").asText();
    assertThat(link).isEqualTo(stack.temporal().uiUrl() + "/namespaces/default/workflows/" + id);
    Eventually.within(
        Duration.ofSeconds(30),
        () -> assertThat(stack.api().run(id).get("status").asText()).isEqualTo("COMPLETED"));

    Path folder = Files.createDirectories(Repo.target().resolve("web-ui"));
    String dom = HeadlessChromium.dumpDom(link);
    Files.writeString(folder.resolve("run-page.html"), dom, StandardCharsets.UTF_8);
    assertThat(dom)
        .as("the page the link opens (saved as %s)", folder.resolve("run-page.html"))
        .contains(id)
        .contains("Workflow History")
        .as("the run's static summary and each activity's summary")
        .contains("Pipeline e2e/ui-tour")
        .contains("task extract")
        .contains("task load");

    Path png = folder.resolve("run-page.png");
    Files.deleteIfExists(png);
    HeadlessChromium.screenshot(link, png);
    assertThat(png).exists();
    assertThat(Files.size(png)).as("a rendered page, not a blank one").isGreaterThan(20_000);
    try (InputStream in = Files.newInputStream(png)) {
      DataInputStream data = new DataInputStream(in);
      byte[] signature = data.readNBytes(PNG_SIGNATURE.length);
      assertThat(signature).isEqualTo(PNG_SIGNATURE);
      data.readInt(); // The IHDR chunk's length; its width and height follow its type.
      data.readInt();
      assertThat(data.readInt()).as("width").isEqualTo(1600);
      assertThat(data.readInt()).as("height").isEqualTo(1000);
    }
  }
}
