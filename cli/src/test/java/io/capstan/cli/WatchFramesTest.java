package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("How watch shows a run over time")
class WatchFramesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode run(String status, int done, String extract, String load)
      throws Exception {
    return JSON.readTree(
        """
        {"id": "pipeline-default-etl-abcd1234", "status": "%s",
         "progress": {"done": %d, "total": 2},
         "tasks": {"extract": {"state": "%s", "attempts": 1}, "load": {"state": "%s"}}}
        """
            .formatted(status, done, extract, load));
  }

  @Test
  @DisplayName("on a terminal, each frame is drawn over the previous one")
  void terminalRedrawsInPlace() throws Exception {
    StringWriter screen = new StringWriter();
    WatchCommand.Redraw frames = new WatchCommand.Redraw(new PrintWriter(screen));

    frames.show(run("RUNNING", 0, "RUNNING", "PENDING"));
    int firstFrame = screen.toString().length();
    frames.show(run("RUNNING", 1, "SUCCEEDED", "RUNNING"));

    String second = screen.toString().substring(firstFrame);
    // Three lines were drawn: move up three lines, clear to the end, draw again.
    assertThat(second).startsWith("\u001b[3F\u001b[J");
    assertThat(second).contains("[##########----------] 1/2").contains("extract  SUCCEEDED");
  }

  @Test
  @DisplayName("elsewhere, it prints one line per change and nothing for what stayed the same")
  void plainOutputPrintsChangesOnly() throws Exception {
    StringWriter log = new StringWriter();
    WatchCommand.Lines frames = new WatchCommand.Lines(new PrintWriter(log));

    frames.show(run("RUNNING", 0, "RUNNING", "PENDING"));
    frames.show(run("RUNNING", 0, "RUNNING", "PENDING"));
    frames.show(run("RUNNING", 1, "SUCCEEDED", "PENDING"));

    String[] lines = log.toString().split(System.lineSeparator());
    assertThat(lines).hasSize(5);
    assertThat(lines[0])
        .endsWith("pipeline-default-etl-abcd1234  RUNNING  [--------------------] 0/2");
    assertThat(lines[1]).contains("extract  RUNNING");
    assertThat(lines[2]).contains("load  PENDING");
    assertThat(lines[3]).endsWith("[##########----------] 1/2");
    assertThat(lines[4]).contains("extract  SUCCEEDED");
    assertThat(log.toString()).doesNotContain("\u001b");
  }
}
