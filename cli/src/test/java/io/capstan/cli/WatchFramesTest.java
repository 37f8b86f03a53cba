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

  private static JsonNode rollout(String phase, String nodeA, String nodeB, String reason)
      throws Exception {
    return JSON.readTree(
        """
        {"id": "rollingupdate-default-general-to-v2-abcd1234", "status": "RUNNING", "tasks": {},
         "rollout": {"phase": "%s", "batch": 1, "target": "2", "desired": 2, "rolled": 1,
           "remaining": 1, "elapsedSeconds": 75, %s
           "nodes": {
             "ip-10-0-1-7": {"phase": "%s", "version": "1", "batch": 1, "podsLeft": 1,
                             "blockedBy": ["pod web/web-7 blocked by PDB web-pdb, 0 disruptions allowed"]},
             "ip-10-0-1-8": {"phase": "%s", "version": "2", "batch": 1}}}}
        """
            .formatted(
                phase, reason == null ? "" : "\"reason\": \"" + reason + "\",", nodeA, nodeB));
  }

  @Test
  @DisplayName(
      "a rollout shows its phase, batch and counts, why it waits, and a line per node with its"
          + " phase, version and what blocks its drain; only changes are printed again")
  void rolloutNodesByPhase() throws Exception {
    StringWriter screen = new StringWriter();
    new WatchCommand.Redraw(new PrintWriter(screen))
        .show(rollout("Blocked", "Blocked", "Ready", "node ip-10-0-1-7: drain past its timeout"));
    assertThat(screen.toString())
        .contains("rollout Blocked, batch 1: 1 of 2 on version 2, 1 to go (1m15s elapsed)")
        .contains("  node ip-10-0-1-7: drain past its timeout")
        .contains("ip-10-0-1-7")
        .contains(
            "Blocked    v1  batch 1  1 pods left  pod web/web-7 blocked by PDB web-pdb, 0"
                + " disruptions allowed")
        .contains("Ready      v2  batch 1");

    StringWriter log = new StringWriter();
    WatchCommand.Lines lines = new WatchCommand.Lines(new PrintWriter(log));
    lines.show(rollout("Rolling", "Draining", "Ready", null));
    int first = log.toString().length();
    lines.show(rollout("Rolling", "Draining", "Ready", null));
    assertThat(log.toString().length()).as("nothing changed, nothing printed").isEqualTo(first);
    lines.show(rollout("Rolling", "Drained", "Ready", null));
    String later = log.toString().substring(first);
    assertThat(later).contains("ip-10-0-1-7  Drained").doesNotContain("ip-10-0-1-8");
  }
}
