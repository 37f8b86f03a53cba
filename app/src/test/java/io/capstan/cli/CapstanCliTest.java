package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.Definitions;
import io.capstan.api.TestTemporal;
import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@DisplayName("The capstan CLI against a running API")
class CapstanCliTest {
  private static final Pattern SUBMITTED = Pattern.compile("submitted (\\S+) ");

  private static TestTemporal temporal;

  @TempDir Path dir;

  @BeforeAll
  static void startTemporal() {
    temporal = TestTemporal.start();
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  /** One CLI invocation: its exit code and what it printed. */
  record Run(int exitCode, String out, String err) {}

  static Run capstan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = CapstanCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  @DisplayName("submit prints the run id and how to watch it")
  void submitPrintsIdAndHowToWatch() throws IOException {
    Path file = write("etl.yaml", Definitions.PIPELINE);
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Run run = capstan("--api", client.getOrigin(), "submit", file.toString());

          assertThat(run.exitCode()).as(run.err()).isZero();
          Matcher id = SUBMITTED.matcher(run.out());
          assertThat(id.find()).as(run.out()).isTrue();
          assertThat(id.group(1)).matches("pipeline-team-a-nightly-etl-[a-z0-9]{8}");
          assertThat(run.out())
              .contains("(Pipeline team-a/nightly-etl)")
              .contains("capstan watch " + id.group(1))
              .contains("Temporal UI: http://localhost:8233/namespaces/default/workflows/");
        });
  }

  @Test
  @DisplayName("submit -q prints only the run id, so a script can keep it")
  void submitQuietPrintsOnlyTheId() throws IOException {
    Path file = write("etl.yaml", Definitions.PIPELINE);
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Run run = capstan("--api", client.getOrigin(), "submit", "-q", file.toString());

          assertThat(run.exitCode()).as(run.err()).isZero();
          assertThat(run.out()).matches("pipeline-team-a-nightly-etl-[a-z0-9]{8}\\R");
          String id = run.out().strip();
          Run get = capstan("--api", client.getOrigin(), "get", id);
          assertThat(get.exitCode()).as(get.err()).isZero();
          assertThat(get.out()).contains(id);
        });
  }

  @Test
  @DisplayName(
      "submit passes params and an idempotency key; a resend says it was already submitted")
  void submitPassesParamsAndIdempotencyKey() throws IOException {
    Path file = write("etl.yaml", Definitions.PIPELINE);
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          String api = client.getOrigin();
          Run first =
              capstan(
                  "submit",
                  file.toString(),
                  "-p",
                  "source=lake",
                  "--idempotency-key",
                  "k1",
                  "--api",
                  api);
          Run again = capstan("--api", api, "submit", file.toString(), "--idempotency-key", "k1");

          Matcher id = SUBMITTED.matcher(first.out());
          assertThat(id.find()).as(first.out() + first.err()).isTrue();
          assertThat(again.out()).startsWith("already submitted: " + id.group(1));
          assertThat(temporal.awaitResult(id.group(1)).tasks().get("extract").output())
              .isEqualTo("rows-lake");
        });
  }

  @Test
  @DisplayName("get prints the run as JSON, or as a table of tasks with -o table")
  void getPrintsJsonOrTable() throws IOException {
    Path file = write("etl.yaml", Definitions.PIPELINE);
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          String api = client.getOrigin();
          Matcher id = SUBMITTED.matcher(capstan("--api", api, "submit", file.toString()).out());
          assertThat(id.find()).isTrue();
          temporal.awaitResult(id.group(1));

          Run json = capstan("--api", api, "get", id.group(1));
          Run table = capstan("--api", api, "get", id.group(1), "-o", "table");

          assertThat(json.exitCode()).isZero();
          assertThat(json.out()).contains("\"status\" : \"COMPLETED\"").contains("\"load\" : {");
          assertThat(table.out())
              .contains(id.group(1) + "  COMPLETED  [####################] 2/2")
              .containsPattern("TASK\\s+STATE\\s+ATTEMPTS")
              .containsPattern("load\\s+SUCCEEDED\\s+1\\s+.*loaded rows-database");
        });
  }

  @Test
  @DisplayName(
      "output prints a task's whole output or writes it to a file; get shows a stored one's size")
  void outputPrintsOrWritesTheWholeOutput() throws IOException {
    Path file =
        write(
            "big.yaml",
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: big-output}
            spec:
              tasks:
                - name: make
                  shell: {command: [sh, -c, 'seq 1 20000 | tr "\\\\n" , > "$CAPSTAN_OUTPUT"']}
                - name: small
                  simulate: {output: tiny}
            """);
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= 20000; i++) {
      expected.append(i).append(',');
    }
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          String api = client.getOrigin();
          Matcher id = SUBMITTED.matcher(capstan("--api", api, "submit", file.toString()).out());
          assertThat(id.find()).isTrue();
          temporal.awaitResult(id.group(1));

          Run printed = capstan("--api", api, "output", id.group(1), "make");
          Path saved = dir.resolve("make.out");
          Run written =
              capstan("--api", api, "output", id.group(1), "make", "-f", saved.toString());
          Run small = capstan("--api", api, "output", id.group(1), "small");
          Run missing = capstan("--api", api, "output", id.group(1), "nope");
          Run table = capstan("--api", api, "get", id.group(1), "-o", "table");

          assertThat(printed.exitCode()).as(printed.err()).isZero();
          assertThat(printed.out()).isEqualTo(expected.toString());
          assertThat(written.exitCode()).as(written.err()).isZero();
          assertThat(Files.readString(saved)).isEqualTo(expected.toString());
          assertThat(written.err()).contains("wrote " + expected.length() + " bytes to " + saved);
          assertThat(small.out()).isEqualTo("tiny");
          assertThat(missing.exitCode()).isEqualTo(1);
          assertThat(missing.err()).contains("has no task 'nope'").contains("make, small");
          assertThat(table.out())
              .containsPattern(
                  "make\\s+SUCCEEDED\\s+1\\s+.*\\[" + expected.length() + " bytes, stored;");
        });
  }

  @Test
  @DisplayName("watch prints progress until the run ends and exits 0 when it completed")
  void watchFollowsRunToCompletion() throws IOException {
    Path file = write("etl.yaml", Definitions.PIPELINE);
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          String api = client.getOrigin();
          Matcher id = SUBMITTED.matcher(capstan("--api", api, "submit", file.toString()).out());
          assertThat(id.find()).isTrue();

          Run watch = capstan("--api", api, "watch", id.group(1), "--interval", "100ms");

          assertThat(watch.exitCode()).as(watch.err()).isZero();
          assertThat(watch.out())
              .contains("COMPLETED  [####################] 2/2")
              .containsPattern("extract\\s+SUCCEEDED\\s+attempt 1\\s+-> rows-database")
              .endsWith("run " + id.group(1) + " ended COMPLETED" + System.lineSeparator())
              .doesNotContain("\u001b[");
        });
  }

  @Test
  @DisplayName("watch exits 1 when the run did not complete")
  void watchExitsOneForFailedRun() throws IOException {
    Path file =
        write(
            "doomed.yaml",
            """
            apiVersion: capstan.io/v1
            kind: Job
            metadata: {name: doomed}
            spec:
              simulate: {failAttempts: 1}
            """);
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          String api = client.getOrigin();
          Matcher id = SUBMITTED.matcher(capstan("--api", api, "submit", file.toString()).out());
          assertThat(id.find()).isTrue();

          Run watch = capstan("--api", api, "watch", id.group(1), "--interval", "100ms");

          assertThat(watch.exitCode()).isEqualTo(1);
          assertThat(watch.out()).contains("ended FAILED").contains("error: ");
        });
  }

  @Test
  @DisplayName("validate prints each level and the critical path")
  void validatePrintsPlan() throws IOException {
    Path file = write("etl.yaml", Definitions.PIPELINE);
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Run run = capstan("--api", client.getOrigin(), "validate", file.toString());

          assertThat(run.exitCode()).isZero();
          assertThat(run.out())
              .isEqualTo(
                  String.join(
                      System.lineSeparator(),
                      file + ": valid",
                      "Pipeline team-a/nightly-etl",
                      "  level 1: extract",
                      "  level 2: load",
                      "  critical path: extract -> load (0s)",
                      ""));
        });
  }

  @Test
  @DisplayName("validate prints each problem as path (line:col): message and exits 1")
  void validatePrintsProblems() throws IOException {
    Path file =
        write(
            "broken.yaml",
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: broken}
            spec:
              tasks:
                - name: extract
                  simulate: {}
                - name: load
                  dependsOn: [extrac]
                  simulate: {}
            """);
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Run run = capstan("--api", client.getOrigin(), "validate", file.toString());

          assertThat(run.exitCode()).isEqualTo(1);
          assertThat(run.err())
              .startsWith("error: the definition has 1 problem")
              .containsPattern("\\n  spec\\.tasks\\[1]\\.dependsOn\\[0] \\(9:\\d+\\): .*extrac");
        });
  }

  @Test
  @DisplayName("list, signal and cancel print what they did")
  void listSignalAndCancel() throws IOException {
    Path file = write("slow.yaml", Definitions.SLOW_PIPELINE);
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          String api = client.getOrigin();
          Matcher id = SUBMITTED.matcher(capstan("--api", api, "submit", file.toString()).out());
          assertThat(id.find()).isTrue();

          Run list = capstan("--api", api, "list", "--kind", "pipeline");
          Run pause = capstan("--api", api, "signal", id.group(1), "pause");
          Run unknown = capstan("--api", api, "signal", id.group(1), "explode");
          Run cancel = capstan("--api", api, "cancel", id.group(1));

          assertThat(list.out())
              .containsPattern("ID\\s+KIND\\s+NAMESPACE\\s+NAME\\s+STATUS")
              .containsPattern(id.group(1) + "\\s+Pipeline\\s+default\\s+slow\\s+RUNNING");
          assertThat(list.err()).startsWith("note: the embedded Temporal test server");
          assertThat(pause.out())
              .isEqualTo("sent pause to " + id.group(1) + System.lineSeparator());
          assertThat(unknown.exitCode()).isEqualTo(1);
          assertThat(unknown.err()).contains("known signals: pause, resume");
          assertThat(cancel.exitCode()).isZero();
          assertThat(cancel.out()).startsWith("cancel requested for " + id.group(1));
        });
  }

  @Test
  @DisplayName("an unknown run prints the API's error and exits 1")
  void unknownRunPrintsError() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Run run = capstan("--api", client.getOrigin(), "get", "job-default-nope-00000000");

          assertThat(run.exitCode()).isEqualTo(1);
          assertThat(run.err()).startsWith("error: no run with id 'job-default-nope-00000000'");
        });
  }

  @Test
  @DisplayName("when nothing listens at the address, it says to start ./capstan up and exits 2")
  void connectionRefusedExplainsWhatToDo() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String api = "http://127.0.0.1:" + port;

    Run run = capstan("--api", api, "get", "pipeline-default-x-00000000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "cannot reach the Capstan API at "
                + api
                + ": is `./capstan up` running?"
                + System.lineSeparator());
  }

  @Test
  @DisplayName("a missing file is reported with exit code 2 before any request")
  void missingFileIsReported() {
    Run run = capstan("--api", "http://127.0.0.1:1", "submit", dir.resolve("nope.yaml").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("no such file: ");
  }
}
